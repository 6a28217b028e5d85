import { mount } from '@vue/test-utils'
import { links } from 'virtual:project-links'
import { describe, expect, it } from 'vitest'
import CodeWithScript from '../../components/CodeWithScript.vue'

describe('CodeWithScript', () => {
  it('wraps the highlighted code and links the file in the repository', () => {
    const wrapper = mount(CodeWithScript, {
      props: { path: 'echo-demo/scripts/03-deploy-echo.sh', region: 'slide' },
      slots: { default: '<pre class="shiki">kubectl apply</pre>' },
    })
    expect(wrapper.get('pre').text()).toBe('kubectl apply')
    const pill = wrapper.get('a.kop-code-pill')
    expect(pill.text()).toContain('echo-demo/scripts/03-deploy-echo.sh')
    expect(pill.attributes('href')).toBe(`${links.repository}/blob/${links.branch}/echo-demo/scripts/03-deploy-echo.sh`)
    expect(wrapper.attributes('data-region')).toBe('slide')
  })
})
