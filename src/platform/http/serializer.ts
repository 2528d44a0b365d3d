// Answers are written by fast-json-stringify compiled from each route's zod response schema: it
// writes only the properties the schema declares (an internal field can never leak) and is several
// times quicker than checking every answer with zod before JSON.stringify. A schema that has no
// JSON Schema form keeps zod's checking serializer.
import fastJson from 'fast-json-stringify';
import { serializerCompiler as zodSerializer } from 'fastify-type-provider-zod';
import { z } from 'zod';

/** Routes answered through zod's serializer (their schema has no JSON Schema form). */
export const fallbacks: string[] = [];

type SerializerCompiler = Parameters<import('fastify').FastifyInstance['setSerializerCompiler']>[0];

export const serializerCompiler: SerializerCompiler = (route) => {
  const schema = route.schema as z.ZodType;
  try {
    const json = z.toJSONSchema(schema, { target: 'draft-7', io: 'output', unrepresentable: 'throw' }) as Record<string, unknown>;
    delete json.$schema;
    const stringify = fastJson(json as unknown as Parameters<typeof fastJson>[0]);
    return (data: unknown) => stringify(data);
  } catch {
    fallbacks.push(`${route.method} ${route.url}`);
    return (zodSerializer as unknown as SerializerCompiler)(route);
  }
};
