// chat-demo/scripts/05-open-chat-to-room.sh and 06-close-chat-to-room.sh: the chat published with Tailscale Funnel, and closed again.
import { beforeEach, describe, expect, it } from 'vitest'
import { CHAT_IMAGE } from '../../../tools/phone-sim/index.ts'
import { chatDemo, scenes, useSim } from '../../support/script-scenes.ts'

const sim = useSim()
const { chatOn, chatPods } = scenes(sim)

describe('05-open-chat-to-room.sh and 06-close-chat-to-room.sh', () => {
  const PUBLIC_URL = 'https://phone-a.tail1234.ts.net/'
  /** The chat's audience listener (AUDIENCE_PORT, on the loopback), as the chat app's new version has it. */
  const withAudienceListener = () =>
    sim.update((w) => {
      for (const pod of w.cluster!.objects.filter(o => o.kind === 'Pod')) {
        const chat = (pod.spec as { containers: Array<{ image: string, env?: Array<{ name: string, value?: string }> }> }).containers.find(c => c.image === CHAT_IMAGE)
        if (chat && !chat.env?.some(e => e.name === 'AUDIENCE_PORT'))
          chat.env!.push({ name: 'AUDIENCE_PORT', value: '8090' })
      }
    })
  const allow = (https: boolean, funnel: boolean) => sim.update(w => Object.assign(w.tailnet, { https, funnel }))
  const serve = () => sim.world().hosts['phone-a'].tailscale.serve

  beforeEach(() => {
    sim.setup('phone-a', 'tailscale', 'server-on-tailnet')
    chatOn('phone-a')
    withAudienceListener()
    allow(true, true)
  })

  it('publishes the audience listener on 443, prints the public URL and how to put it into project.json', () => {
    const r = sim.run('phone-a', chatDemo('05-open-chat-to-room.sh'))
    expect(r.code, r.output).toBe(0)
    expect(serve()).toEqual([{ https: 443, target: 'http://127.0.0.1:8090', funnel: true }])
    expect(sim.argvs('tailscale', 'phone-a')).toContain('funnel --bg --https=443 http://127.0.0.1:8090')
    expect(r.stdout).toContain(`The chat is open to the room: ${PUBLIC_URL}`)
    expect(r.stdout).toContain(`"chatPublicUrl": "${PUBLIC_URL}"`)
    expect(r.stdout).toContain('http://phone-a:8080 stays in the tailnet')
  })

  it('a re-run changes nothing and prints the same URL', () => {
    expect(sim.run('phone-a', chatDemo('05-open-chat-to-room.sh')).code).toBe(0)
    sim.resetCalls()
    const r = sim.run('phone-a', chatDemo('05-open-chat-to-room.sh'))
    expect(r.code, r.output).toBe(0)
    expect(r.stdout).toContain('Already published: nothing to change.')
    expect(r.stdout).toContain(PUBLIC_URL)
    expect(sim.argvs('tailscale').filter(a => a.startsWith('funnel --bg'))).toEqual([])
    expect(serve()).toHaveLength(1)
  })

  it('explains missing HTTPS certificates instead of hanging in tailscale\'s enable prompt', () => {
    allow(false, false)
    const r = sim.run('phone-a', chatDemo('05-open-chat-to-room.sh'))
    expect(r.hung).toBeNull()
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('The tailnet has no HTTPS certificates')
    expect(r.stderr).toContain('https://login.tailscale.com/admin/dns')
    expect(serve()).toEqual([])
  })

  it('explains a tailnet policy without the funnel node attribute', () => {
    allow(true, false)
    const r = sim.run('phone-a', chatDemo('05-open-chat-to-room.sh'))
    expect(r.hung).toBeNull()
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('doesn\'t give this phone the funnel attribute')
    expect(r.stderr).toContain('"attr": ["funnel"]')
    expect(serve()).toEqual([])
  })

  it('says when this phone is not connected to the tailnet', () => {
    sim.sh('phone-a', 'sudo tailscale down')
    const r = sim.run('phone-a', chatDemo('05-open-chat-to-room.sh'))
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('This phone isn\'t connected to the tailnet (Tailscale: Stopped)')
    expect(r.stderr).toContain('07-setup-tailscale.sh')
  })

  it('refuses on a machine where the chat does not run', () => {
    sim.setup('laptop', 'tailscale')
    const r = sim.run('laptop', chatDemo('05-open-chat-to-room.sh'))
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('The chat doesn\'t answer on this machine (127.0.0.1:8080)')
    expect(r.stderr).toContain('labelled llm=true')
    expect(sim.calls('tailscale', 'laptop')).toEqual([])
  })

  it('refuses a chat without the audience listener: publishing nothing on the internet', () => {
    sim.update((w) => {
      for (const pod of w.cluster!.objects.filter(o => o.kind === 'Pod')) {
        const chat = (pod.spec as { containers: Array<{ image: string, env?: Array<{ name: string }> }> }).containers.find(c => c.image === CHAT_IMAGE)
        if (chat)
          chat.env = chat.env!.filter(e => e.name !== 'AUDIENCE_PORT')
      }
    })
    const r = sim.run('phone-a', chatDemo('05-open-chat-to-room.sh'))
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('nothing answers at http://127.0.0.1:8090')
    expect(r.stderr).toContain('AUDIENCE_PORT=8090')
    expect(serve()).toEqual([])
  })

  it('won\'t replace something else published on port 443', () => {
    sim.sh('phone-a', 'sudo tailscale serve --bg --https=443 http://127.0.0.1:3000 >/dev/null')
    const r = sim.run('phone-a', chatDemo('05-open-chat-to-room.sh'))
    expect(r.code, r.output).toBe(1)
    expect(r.stderr).toContain('already serves http://127.0.0.1:3000 (in the tailnet)')
    expect(serve()).toEqual([{ https: 443, target: 'http://127.0.0.1:3000', funnel: false }])
  })

  it('06 takes the funnel down; the chat keeps running for the tailnet', () => {
    expect(sim.run('phone-a', chatDemo('05-open-chat-to-room.sh')).code).toBe(0)
    const r = sim.run('phone-a', chatDemo('06-close-chat-to-room.sh'))
    expect(r.code, r.output).toBe(0)
    expect(sim.argvs('tailscale', 'phone-a')).toContain('funnel --https=443 off')
    expect(serve()).toEqual([])
    expect(r.stdout).toContain('The chat is closed to the room')
    expect(chatPods().map(p => p.status?.phase)).toEqual(['Running'])
  })

  it('06 is a no-op when nothing is published, and leaves alone what is not the chat', () => {
    let r = sim.run('phone-a', chatDemo('06-close-chat-to-room.sh'))
    expect(r.code, r.output).toBe(0)
    expect(r.stdout).toContain('Nothing is published on port 443 of phone-a.tail1234.ts.net')
    sim.sh('phone-a', 'sudo tailscale serve --bg --https=443 http://127.0.0.1:3000 >/dev/null')
    r = sim.run('phone-a', chatDemo('06-close-chat-to-room.sh'))
    expect(r.code, r.output).toBe(0)
    expect(r.stderr).toContain('serves http://127.0.0.1:3000, not the chat')
    expect(serve()).toHaveLength(1)
    expect(sim.argvs('tailscale').filter(a => a.includes('off'))).toEqual([])
  })
})
