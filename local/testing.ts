/**
 * The local cloud's engines one at a time, for an app's own handler tests: the API Gateway control plane and
 * API keys, the identity issuer, the SQS engine, the S3 engine (pre-signed URLs, POST policies, CORS), DynamoDB table inputs from a template, API Gateway's VTL.
 */
export { type ApiKeyRecord, ApiKeyStore } from './api-keys/api-key-store';
export * from './apigateway-control/control-server';
export { type CfnTableProperties, createTableInput } from './dynamodb/template-tables';
export { LocalStreams } from './dynamodb-streams/local-streams';
export { UsageMeter } from './gateway/usage-meter';
export { createIdentityServer, type LocalIdentity } from './identity/identity-server';
export { signJwt } from './identity/token-minting';
export type { StoredUser, UserPoolStore } from './identity/user-pool-store';
export type { LambdaInvoker, LocalCloudModel, LocalResource } from './model';
export { AuthorizerCaches } from './rest-api/authorizer-caches';
export { StageCaches } from './rest-api/stage-cache';
export type { CorsRule } from './s3/bucket-cors';
export { type BucketOptions, LocalS3, type LocalS3Options } from './s3/local-s3';
export type { ObjectEvent } from './s3/s3-front';
export { LocalSqs } from './sqs/local-sqs';
export { renderVtl } from './vtl/render-vtl';
export { createVtlInput } from './vtl/vtl-input';
