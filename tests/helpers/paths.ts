/** The repository root and the real data beside it: the same locations the CLI uses (src/node/paths). */
export { PACKAGE_ROOT as REPO, SHARED_DATA } from '../../src/node/paths';
