/**
 * Copy buttons: a button with `data-copy="<element id>"` copies that element's text to the
 * clipboard and says so in the status next to it. The buttons are hidden until this module runs,
 * so a page without script shows no button that does nothing.
 */
import { clipboard, doc } from './dom.ts'

for (const button of Array.from(doc().querySelectorAll('button[data-copy]'))) {
  const target = doc().getElementById(button.dataset.copy ?? '')
  const status = button.nextElementSibling
  if (target === null || clipboard() === undefined) continue
  button.hidden = false
  button.addEventListener('click', () => {
    const say = (text: string): void => {
      if (status !== null) status.textContent = text
    }
    clipboard()?.writeText((target.textContent ?? '').trim()).then(() => {
      say(button.dataset.copied ?? '')
    }, () => {
      say(button.dataset.failed ?? '')
    })
  })
}
