/**
 * The API's request and response schemas (TypeBox). They drive three things at once: request
 * validation (Ajv, strict: no coercion, no unknown fields), response serialisation, and the
 * OpenAPI document served at /openapi.json and /docs.
 */
import { Type, type Static } from 'typebox';

/** Largest request body accepted, in bytes (bigger: 413). A long question is ~10 KB. */
export const BODY_LIMIT_BYTES = 64 * 1024;
export const MAX_K = 20;
export const DEFAULT_K = 5;

/**
 * "Contains a character that is not whitespace". JavaScript's whitespace is listed explicitly rather
 * than written `\S`, because other JSON Schema engines (Python's `re` in schemathesis) give `\S` a
 * different set; spelled out, every engine agrees on which titles are valid.
 */
export const NOT_BLANK_PATTERN = '[^\\t\\n\\v\\f\\r \\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\ufeff]';

const BodyFormat = Type.Unsafe<'markdown' | 'html' | 'text'>({
  type: 'string',
  enum: ['markdown', 'html', 'text'],
  default: 'markdown',
  description: 'How `body` is written: markdown (what an author types), html (as in exports and the API), or plain text.',
});

export const PredictRequest = Type.Object(
  {
    title: Type.String({ pattern: NOT_BLANK_PATTERN, description: 'Question title (some non-whitespace text).', examples: ['How do I parse JSON in Python?'] }),
    body: Type.Optional(Type.String({ description: 'Question body.', examples: ['I read a file with `json.load` but get a ValueError.'] })),
    body_format: Type.Optional(BodyFormat),
    k: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_K, default: DEFAULT_K, description: 'Number of tags returned, best first.' })),
  },
  { additionalProperties: false, title: 'PredictRequest' },
);
export type PredictRequest = Static<typeof PredictRequest>;

const Tag = Type.Object(
  {
    name: Type.String(),
    score: Type.Number({ minimum: 0, maximum: 1, description: "The model's confidence (sigmoid score, 4 decimals)." }),
    confident: Type.Boolean({ description: 'Score at or above the threshold tuned for this tag on validation data.' }),
  },
  { additionalProperties: false },
);

export const PredictResponse = Type.Object(
  {
    tags: Type.Array(Tag, { maxItems: MAX_K }),
    model: Type.Object({ version: Type.String() }, { additionalProperties: false }),
    took_ms: Type.Number({ minimum: 0, description: 'Server time for this request: queue wait plus inference, in ms.' }),
  },
  { additionalProperties: false, title: 'PredictResponse' },
);
export type PredictResponse = Static<typeof PredictResponse>;

export const HealthResponse = Type.Object(
  {
    status: Type.Literal('ok'),
    model: Type.Object(
      {
        loaded: Type.Boolean(),
        version: Type.String(),
        vectorizer: Type.String(),
        tags: Type.Integer({ minimum: 0 }),
      },
      { additionalProperties: false },
    ),
    uptime_s: Type.Number({ minimum: 0 }),
    queue: Type.Object(
      { running: Type.Integer({ minimum: 0 }), waiting: Type.Integer({ minimum: 0 }), capacity: Type.Integer({ minimum: 0 }) },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false, title: 'HealthResponse' },
);
export type HealthResponse = Static<typeof HealthResponse>;

export const ErrorResponse = Type.Object(
  {
    statusCode: Type.Integer(),
    error: Type.String({ description: 'HTTP reason phrase.' }),
    message: Type.String({ description: 'What is wrong and how to fix it.' }),
    field: Type.Optional(Type.String({ description: 'The request field at fault, when there is one.' })),
  },
  { additionalProperties: false, title: 'ErrorResponse' },
);
export type ErrorResponse = Static<typeof ErrorResponse>;
