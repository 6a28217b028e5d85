// echo-demo/scripts/03-deploy-echo.sh on the simulated phones and the laptop: the rollout, re-runs, slow Wi-Fi, a missing image, a port taken.
import { describe, expect, it } from 'vitest'
import { echoDemo, nodeOf, scenes, useSim } from '../../support/script-scenes.ts'

const sim = useSim()
const { onePhone, twoPhones, deployEcho, laptopWithKubectl, kubeconfigEnv, echoPods, readyEchoPods } = scenes(sim)

describe('03-deploy-echo.sh', () => {
  it('deploys two ready pods and the Service on port 8081 of the phone', () => {
    onePhone()
    const r = sim.run('phone-a', echoDemo('03-deploy-echo.sh'))
    expect(r.code, r.output).toBe(0)
    expect(r.stdout).toContain('deployment "echo" successfully rolled out')
    expect(readyEchoPods().map(nodeOf)).toEqual(['phone-a', 'phone-a'])
    expect(r.stdout).toMatch(/^echo\s+LoadBalancer\s+\S+\s+10\.177\.99\.12\s+8081:\d+\/TCP/m)
    expect(r.stdout).toContain('./echo-demo/scripts/04-curl.sh')
  })

  it('a re-run changes nothing and says so', () => {
    onePhone()
    deployEcho()
    const before = echoPods().map(p => p.metadata.name)
    const r = sim.run('phone-a', echoDemo('03-deploy-echo.sh'))
    expect(r.code, r.output).toBe(0)
    expect(r.stdout).toContain('deployment.apps/echo unchanged')
    expect(r.stdout).toContain('service/echo unchanged')
    expect(echoPods().map(p => p.metadata.name)).toEqual(before)
  })

  it('on two phones the pods land on both', () => {
    twoPhones()
    const r = sim.run('phone-a', echoDemo('03-deploy-echo.sh'))
    expect(r.code, r.output).toBe(0)
    expect(readyEchoPods().map(nodeOf).sort()).toEqual(['phone-a', 'phone-b'])
  })

  it('from the laptop it deploys, and says to name a phone with ECHO_HOST', () => {
    twoPhones()
    laptopWithKubectl()
    const r = sim.run('laptop', echoDemo('03-deploy-echo.sh'), [], { env: kubeconfigEnv() })
    expect(r.code, r.output).toBe(0)
    expect(readyEchoPods()).toHaveLength(2)
    expect(r.stdout).toContain('ECHO_HOST=phone-a ./echo-demo/scripts/04-curl.sh')
  })

  it('slow conference Wi-Fi: the rollout times out, explained as a pull still going on; a re-run a minute later finishes it', () => {
    onePhone()
    sim.update(w => void (w.networkSlowdown = 20))
    const r = sim.run('phone-a', echoDemo('03-deploy-echo.sh'))
    expect(r.code).toBe(1)
    expect(r.seconds).toBeLessThanOrEqual(200)
    expect(r.stderr).toContain('still pulling the image ealen/echo-server:0.9.2')
    expect(r.stderr).toContain('run ./echo-demo/scripts/03-deploy-echo.sh again')
    sim.wait(60)
    const again = sim.run('phone-a', echoDemo('03-deploy-echo.sh'))
    expect(again.code, again.output).toBe(0)
    expect(readyEchoPods()).toHaveLength(2)
  })

  it('an image the registry does not have: what the pods say, and no advice to wait', () => {
    onePhone()
    sim.update(w => void (w.registry = w.registry.filter(i => !i.startsWith('ealen/'))))
    const r = sim.run('phone-a', echoDemo('03-deploy-echo.sh'))
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(/ImagePullBackOff|ErrImagePull/)
    expect(r.stderr).toContain('can\'t pull the image ealen/echo-server:0.9.2')
    expect(r.stderr).toContain('not found')
    expect(r.stderr).not.toContain('again')
  })

  it('EXTERNAL-IP stays <pending> when another Service holds port 8081: it names that Service', () => {
    onePhone()
    const other = sim.sh('phone-a', `kubectl apply -f - >/dev/null <<'EOF'
apiVersion: v1
kind: Service
metadata: { name: web, namespace: default }
spec: { type: LoadBalancer, selector: { app: web }, ports: [{ port: 8081 }] }
EOF`)
    expect(other.code, other.output).toBe(0)
    const r = sim.run('phone-a', echoDemo('03-deploy-echo.sh'))
    expect(r.code, r.output).toBe(0)
    expect(r.stdout).toMatch(/^echo\s+LoadBalancer\s+\S+\s+<pending>/m)
    expect(r.stderr).toContain('EXTERNAL-IP is <pending>')
    expect(r.stderr).toContain('Service default/web already takes port 8081')
  })
})
