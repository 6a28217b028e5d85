// echo-demo/scripts/02-verify-cluster.sh on a phone and on the laptop: the nodes, or why the cluster can't be reached and what to do.
import { beforeEach, describe, expect, it } from 'vitest'
import { echoDemo, LAPTOP_KUBECONFIG, scenes, useSim } from '../../support/script-scenes.ts'

const sim = useSim()
const { onePhone, twoPhones, laptopWithKubectl, kubeconfigEnv, sleepFor, tailnetIp } = scenes(sim)

describe('02-verify-cluster.sh', () => {
  describe('on a phone', () => {
    it('shows the control plane Ready', () => {
      onePhone()
      const r = sim.run('phone-a', echoDemo('02-verify-cluster.sh'))
      expect(r.code, r.output).toBe(0)
      expect(r.stdout).toMatch(/^phone-a\s+Ready\s+control-plane/m)
      expect(r.stdout).toContain('Every node is Ready')
    })

    it('colours in a terminal, none with NO_COLOR, none when piped', async () => {
      onePhone()
      const coloured = await sim.runTty('phone-a', echoDemo('02-verify-cluster.sh'))
      expect(coloured.code, coloured.output).toBe(0)
      expect(coloured.output).toContain('\x1B[1m\x1B[34m==> The nodes')
      const plain = await sim.runTty('phone-a', echoDemo('02-verify-cluster.sh'), [], { env: { NO_COLOR: '1' } })
      expect(plain.code).toBe(0)
      expect(plain.output).not.toContain('\x1B[')
      expect(sim.run('phone-a', echoDemo('02-verify-cluster.sh')).output).not.toContain('\x1B[')
    })

    it('on a fresh phone (no k3s, so no kubectl) it points to 01-install-k3s.sh', () => {
      const r = sim.run('phone-a', echoDemo('02-verify-cluster.sh'))
      expect(r.code).toBe(1)
      expect(r.stderr).toContain('\'kubectl\' is not installed')
      expect(r.stderr).toContain('./echo-demo/scripts/01-install-k3s.sh')
    })

    it('with k3s stopped it says to look at the k3s service', () => {
      onePhone()
      expect(sim.sh('phone-a', 'sudo systemctl stop k3s').code).toBe(0)
      const r = sim.run('phone-a', echoDemo('02-verify-cluster.sh'))
      expect(r.code).toBe(1)
      expect(r.stderr).toContain('connection to the server 127.0.0.1:6443 was refused')
      expect(r.stderr).toContain('sudo systemctl status k3s')
      expect(r.stderr).not.toContain('fetch-kubeconfig')
    })

    it('a KUBECONFIG from an earlier cluster on the phone: unset it', () => {
      onePhone()
      sim.write('phone-a', '~/old.yaml', sim.read('phone-a', '/etc/rancher/k3s/k3s.yaml').replace(/client-key-data: .*/, 'client-key-data: b2xk'))
      const r = sim.run('phone-a', echoDemo('02-verify-cluster.sh'), [], { env: { KUBECONFIG: sim.path('phone-a', '~/old.yaml') } })
      expect(r.code).toBe(1)
      expect(r.stderr).toContain('Unauthorized')
      expect(r.stderr).toContain('unset KUBECONFIG')
    })

    it('on the agent phone it says to run it on the control plane, without asking kubectl', () => {
      twoPhones()
      const r = sim.run('phone-b', echoDemo('02-verify-cluster.sh'))
      expect(r.code).toBe(1)
      expect(r.stderr).toContain('This phone is a k3s agent')
      expect(r.stderr).toContain('control plane')
      expect(sim.calls('kubectl')).toEqual([])
    })

    it('a second phone that fell asleep is NotReady, with what to do about it', () => {
      twoPhones()
      sleepFor('phone-b', 60)
      const r = sim.run('phone-a', echoDemo('02-verify-cluster.sh'))
      expect(r.code, r.output).toBe(0)
      expect(r.stdout).toMatch(/^phone-b\s+NotReady/m)
      expect(r.stderr).toContain('Not Ready: phone-b')
      expect(r.stderr).toMatch(/awake|screen on/)
    })
  })

  describe('on the laptop', () => {
    beforeEach(() => {
      twoPhones()
    })

    it('with the fetched kubeconfig it shows both phones', () => {
      laptopWithKubectl()
      const r = sim.run('laptop', echoDemo('02-verify-cluster.sh'), [], { env: kubeconfigEnv() })
      expect(r.code, r.output).toBe(0)
      expect(r.stdout).toMatch(new RegExp(`^phone-a\\s+Ready\\s+control-plane.*${tailnetIp('phone-a')}`, 'm'))
      expect(r.stdout).toMatch(new RegExp(`^phone-b\\s+Ready.*${tailnetIp('phone-b')}`, 'm'))
    })

    it('without kubectl it says how to get it and the kubeconfig, not only how to install k3s', () => {
      const r = sim.run('laptop', echoDemo('02-verify-cluster.sh'))
      expect(r.code).toBe(1)
      expect(r.stderr).toContain('\'kubectl\' is not installed')
      expect(r.stderr).toContain('npm run fetch-kubeconfig -- phone-a')
    })

    it('without a kubeconfig it says to fetch one, not to check a k3s service the laptop has not got', () => {
      sim.update(w => void w.hosts.laptop.programs.push('kubectl'))
      const r = sim.run('laptop', echoDemo('02-verify-cluster.sh'))
      expect(r.code).toBe(1)
      expect(r.stderr).toContain('localhost:8080 was refused')
      expect(r.stderr).toContain('npm run fetch-kubeconfig -- phone-a')
      expect(r.stderr).toContain('export KUBECONFIG=~/.kube/k3s-on-phone.yaml')
      expect(r.stderr).not.toContain('systemctl')
      expect(r.stderr).not.toContain('01-install-k3s.sh')
    })

    it('with the kubeconfig fetched but KUBECONFIG not set it says to export it', () => {
      laptopWithKubectl()
      const r = sim.run('laptop', echoDemo('02-verify-cluster.sh'))
      expect(r.code).toBe(1)
      expect(r.stderr).toContain('export KUBECONFIG=~/.kube/k3s-on-phone.yaml')
      expect(r.stderr).not.toContain('systemctl')
    })

    it('KUBECONFIG naming a missing file: fetch it', () => {
      sim.update(w => void w.hosts.laptop.programs.push('kubectl'))
      const r = sim.run('laptop', echoDemo('02-verify-cluster.sh'), [], { env: kubeconfigEnv('~/.kube/nothing.yaml') })
      expect(r.code).toBe(1)
      expect(r.stderr).toContain('no such file or directory')
      expect(r.stderr).toContain('npm run fetch-kubeconfig -- phone-a')
    })

    it('a kubeconfig from before the cluster was reinstalled: fetch it again', () => {
      laptopWithKubectl()
      const reinstall = sim.sh('phone-a', 'sudo k3s-uninstall.sh >/dev/null')
      expect(reinstall.code, reinstall.output).toBe(0)
      sim.setup('phone-a', 'server-on-tailnet')
      const r = sim.run('laptop', echoDemo('02-verify-cluster.sh'), [], { env: kubeconfigEnv() })
      expect(r.code).toBe(1)
      expect(r.stderr).toMatch(/certificate signed by unknown authority|Unauthorized/)
      expect(r.stderr).toContain('earlier installation')
      expect(r.stderr).toContain('npm run fetch-kubeconfig -- phone-a')
      expect(r.stderr).not.toContain('systemctl')
    })

    it('a kubeconfig whose credentials the cluster doesn\'t know (Unauthorized): fetch it again', () => {
      laptopWithKubectl()
      sim.write('laptop', '~/.kube/other.yaml', sim.read('laptop', LAPTOP_KUBECONFIG).replace(/client-key-data: .*/, 'client-key-data: b3RoZXI='))
      const r = sim.run('laptop', echoDemo('02-verify-cluster.sh'), [], { env: kubeconfigEnv('~/.kube/other.yaml') })
      expect(r.code).toBe(1)
      expect(r.stderr).toContain('Unauthorized')
      expect(r.stderr).toContain('npm run fetch-kubeconfig -- phone-a')
    })

    it('the control plane asleep: i/o timeout after 5 s, and a hint to wake it', () => {
      laptopWithKubectl()
      sleepFor('phone-a', 5)
      const r = sim.run('laptop', echoDemo('02-verify-cluster.sh'), [], { env: kubeconfigEnv() })
      expect(r.code).toBe(1)
      expect(r.stderr).toContain('i/o timeout')
      expect(r.stderr).toMatch(/awake/)
      expect(r.stderr).toContain('tailscale ping phone-a')
      expect(r.stderr).not.toContain('systemctl')
      expect(r.seconds).toBeLessThanOrEqual(10)
    })

    it('a tailnet policy that lets only the phones talk: the timeout names the policy too', () => {
      laptopWithKubectl()
      sim.update(w => void (w.tailnet.allow = ['tcp:10250', 'udp:8472']))
      const r = sim.run('laptop', echoDemo('02-verify-cluster.sh'), [], { env: kubeconfigEnv() })
      expect(r.code).toBe(1)
      expect(r.stderr).toContain('i/o timeout')
      expect(r.stderr).toContain('tailnet policy')
      expect(r.stderr).toContain('tcp:6443')
    })

    it('a kubeconfig naming the phone by name: the certificate names the IP', () => {
      laptopWithKubectl()
      sim.write('laptop', '~/.kube/by-name.yaml', sim.read('laptop', LAPTOP_KUBECONFIG).replace(/server: .*/, 'server: https://phone-a:6443'))
      const r = sim.run('laptop', echoDemo('02-verify-cluster.sh'), [], { env: kubeconfigEnv('~/.kube/by-name.yaml') })
      expect(r.code).toBe(1)
      expect(r.stderr).toContain('x509: certificate is valid for')
      expect(r.stderr).toContain('tailnet IP')
      expect(r.stderr).toContain('npm run fetch-kubeconfig -- phone-a')
    })

    it('k3s stopped on the control plane: the phone answers, k3s does not — look there', () => {
      laptopWithKubectl()
      expect(sim.sh('phone-a', 'sudo systemctl stop k3s').code).toBe(0)
      const r = sim.run('laptop', echoDemo('02-verify-cluster.sh'), [], { env: kubeconfigEnv() })
      expect(r.code).toBe(1)
      expect(r.stderr).toContain('refused')
      expect(r.stderr).toContain('On phone-a')
      expect(r.stderr).toContain('sudo systemctl status k3s')
    })
  })
})
