import { render } from 'preact';
import { browser } from 'wxt/browser';
import { Popup, type Send } from '../../src/extension/popup/Popup';
import { sendWhenListening } from '../../src/extension/protocol';

const send: Send = (msg) => sendWhenListening(() => browser.runtime.sendMessage(msg));
render(<Popup send={send} />, document.getElementById('app')!);
