/**
 * Entry of the API's demo page (GET /): the question form, asking the same server's /predict/.
 * Bundled by esbuild (src/server/demo-build.ts); browser-safe.
 */
import { render } from 'preact';
import { QuestionForm, type QuestionExample } from './QuestionForm';
import { createApiSuggest } from './api-client';

const EXAMPLES: QuestionExample[] = [
  {
    label: 'Example: pandas',
    title: 'How to drop rows of a pandas DataFrame whose value in a column is NaN?',
    body: 'I have a `DataFrame` and want only the rows where `EPS` is not NaN:\n\n```python\ndf = df[df.EPS != np.nan]\n```\n\nbut nothing is removed.',
  },
  {
    label: 'Example: React',
    title: 'useEffect runs twice when the component mounts',
    body: 'My `useEffect(() => { fetchData() }, [])` is called two times in development. Why, and how do I stop it?',
  },
];

const root = document.getElementById('app');
if (root) render(<QuestionForm suggest={createApiSuggest()} examples={EXAMPLES} />, root);
