import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as z from 'zod';

/**
 * An API Gateway model (JSON Schema draft-04) generated from the same zod schema the handler validates
 * with, so the gateway's early 400 and the handler's validation cannot disagree on shape. Refinements
 * that JSON Schema cannot express (e.g. unique SKUs) stay in the handler.
 */
export function modelFromZod(api: apigw.IRestApi, id: string, schema: z.ZodType): apigw.Model {
  const { $schema: _ignored, ...jsonSchema } = z.toJSONSchema(schema, {
    target: 'draft-04',
    io: 'input',
    unrepresentable: 'any',
  }) as Record<string, unknown>;
  return new apigw.Model(api, id, {
    restApi: api,
    contentType: 'application/json',
    description: `${id} request body`,
    schema: { schema: apigw.JsonSchemaVersion.DRAFT4, ...(jsonSchema as apigw.JsonSchema) },
  });
}
