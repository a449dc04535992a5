/** The only pages the extension touches: Stack Overflow's "Ask a question" page (both variants). */
export const ASK_PAGE_MATCHES = ['https://stackoverflow.com/questions/ask*'];
