import { render } from 'preact';
import { browser } from 'wxt/browser';
import { Popup, type Send } from '../../src/extension/popup/Popup';

const send: Send = (msg) => browser.runtime.sendMessage(msg);
render(<Popup send={send} />, document.getElementById('app')!);
