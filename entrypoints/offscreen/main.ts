import { startOffscreen } from '../../src/extension/model/offscreen';

startOffscreen();
