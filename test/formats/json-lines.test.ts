// The recordings' common file shape (formats/json-lines.ts): a header object, then one JSON entry per line.
import { describe, expect, it } from 'vitest'
import { readJsonLines } from '../../formats/json-lines.ts'

describe('readJsonLines', () => {
  it('reads the header and each entry with its line in the file, skipping blank lines', () => {
    expect(readJsonLines('{"version": 2}\n[0, "o", "a"]\n\n  \n[1, "o", "b"]\n', 'cast')).toEqual({
      header: { version: 2 },
      entries: [{ value: [0, 'o', 'a'], line: 2 }, { value: [1, 'o', 'b'], line: 5 }],
    })
  })

  it('takes a header alone', () => {
    expect(readJsonLines('{"kind": "cluster-events"}', 'cluster recording').entries).toEqual([])
  })

  it('names the format and the line of what it cannot read', () => {
    expect(() => readJsonLines('\n \n', 'cast')).toThrow('empty cast')
    expect(() => readJsonLines('{"version": 2}\n\n[0, "o", "a"\n', 'cast')).toThrow('cast line 3 is not JSON')
    expect(() => readJsonLines('[0, "o", "a"]', 'cluster recording')).toThrow('cluster recording line 1: the header is not an object')
    expect(() => readJsonLines('null', 'cast')).toThrow(/header is not an object/)
  })
})
