// What the slide says when ssh to a phone fails (live-demo/node/ssh-failure.ts): ssh's own messages (OpenSSH 9)
// mapped to a reason the speaker can act on; a script's own failure is left alone. The real sshd
// cases are in ssh.test.ts.
import { describe, expect, it } from 'vitest'
import { sshFailure, sshFailureMessage } from '../../live-demo/node/ssh-failure.ts'

const phone = { user: 'droid', host: 'phone-a' }

describe('sshFailure', () => {
  it.each([
    ['Host key verification failed.', 'host-key'],
    ['@    WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!     @', 'host-key'],
    ['droid@phone-a: Permission denied (publickey).', 'auth'],
    ['ssh: connect to host phone-a port 22: Connection timed out', 'timeout'],
    ['Connection timed out during banner exchange', 'timeout'],
    ['ssh: connect to host phone-a port 22: Connection refused', 'refused'],
    ['ssh: Could not resolve hostname phone-c: Name or service not known', 'unreachable'],
    ['ssh: connect to host 100.64.0.7 port 22: No route to host', 'unreachable'],
  ])('%s → %s', (output, failure) => {
    expect(sshFailure(255, `some output\r\n${output}\r\n`)).toBe(failure)
  })

  it('leaves the script\'s own exit codes alone, even with ssh-like words in its output', () => {
    expect(sshFailure(1, 'Permission denied (publickey).')).toBeUndefined()
    expect(sshFailure(0, 'Connection refused')).toBeUndefined()
    expect(sshFailure(255, 'the script itself exited 255')).toBeUndefined()
  })

  it('says what to do, with the phone\'s user and host', () => {
    expect(sshFailureMessage('host-key', 'phone-a', phone)).toContain('ssh droid@phone-a once')
    expect(sshFailureMessage('auth', 'phone-a', phone)).toContain('ssh-copy-id droid@phone-a')
    expect(sshFailureMessage('unreachable', 'phone-a', { ...phone, port: 2222 })).toContain('phone-a (phone-a) is not reachable')
  })
})
