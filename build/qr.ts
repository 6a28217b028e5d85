import QRCode from 'qrcode'

/** A QR code as an SVG path: one `h1v1h-1z` square per dark module, on a size × size grid. */
export interface QrShape {
  size: number
  path: string
}

/** Encodes `text` as a QR code (error correction M) and returns it as SVG path data. */
export function qrShape(text: string): QrShape {
  const { modules } = QRCode.create(text, { errorCorrectionLevel: 'M' })
  const size = modules.size
  let path = ''
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      if (modules.get(y, x))
        path += `M${x} ${y}h1v1h-1z`
    }
  }
  return { size, path }
}
