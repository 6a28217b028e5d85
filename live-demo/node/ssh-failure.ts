/**
 * When ssh to a phone fails (exit code 255 and one of ssh's own messages), what the slide's terminal
 * says: why, in words the speaker can act on one minute before the talk.
 */
import type { Phone } from './phones.ts'
import { destination } from './phones.ts'

export type SshFailure = 'host-key' | 'auth' | 'timeout' | 'unreachable' | 'refused'

/** Which failure ssh's output shows, or undefined when ssh itself did not fail. */
export function sshFailure(code: number, output: string): SshFailure | undefined {
  if (code !== 255)
    return undefined
  if (/Host key verification failed|REMOTE HOST IDENTIFICATION HAS CHANGED|No \S+ host key is known/.test(output))
    return 'host-key'
  if (/Permission denied \(|Too many authentication failures|no mutual signature/.test(output))
    return 'auth'
  if (/timed out|Connection timed out|Operation timed out|Timeout, server .* not responding/.test(output))
    return 'timeout'
  if (/Connection refused/.test(output))
    return 'refused'
  if (/Could not resolve hostname|No route to host|Network is unreachable|Name or service not known|Connection closed by|Connection reset/.test(output))
    return 'unreachable'
  return undefined
}

/** The message for the slide. */
export function sshFailureMessage(failure: SshFailure, name: string, phone: Phone): string {
  const to = destination(phone)
  switch (failure) {
    case 'host-key':
      return `${name}: its ssh host key is not known (or changed) on this laptop, and a live demo never asks. `
        + `In a terminal, run ssh ${to} once, check the fingerprint and answer yes; then run it again.`
    case 'auth':
      return `${name} refused this laptop's key (no password prompt in a live demo). `
        + `Copy the key once: ssh-copy-id ${to} (or use Tailscale SSH: sudo tailscale set --ssh on the phone).`
    case 'timeout':
      return `${name} did not answer in time: is the phone awake, its Linux Terminal app open, `
        + `and is it in the tailnet (tailscale status on the laptop)?`
    case 'refused':
      return `${name} answers, but nothing listens for ssh: on the phone, sudo apt-get install -y openssh-server `
        + `(or sudo tailscale set --ssh).`
    case 'unreachable':
      return `${name} (${phone.host}) is not reachable from this laptop: is the laptop in the tailnet `
        + `(tailscale status), is the name right in project.json (livePhones)?`
  }
}
