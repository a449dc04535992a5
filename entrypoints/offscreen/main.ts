import { startOffscreen } from '../../src/extension/offscreen';

startOffscreen();
