import { JsonApiError, type JsonOperation, requiredString } from '../json-api-server';
import type { SecretStore, StoredParameter } from './secret-store';

const TYPES = new Set(['String', 'StringList', 'SecureString']);

/**
 * The Parameter Store operations served locally (JSON protocol, target prefix `AmazonSSM`): GetParameter,
 * GetParameters, GetParametersByPath (with `Recursive`), PutParameter (`Overwrite`), DeleteParameter.
 * SecureString values are stored as given (no KMS locally), so `WithDecryption` changes nothing.
 */
export function ssmApi(store: SecretStore, arnOf: (name: string) => string): Record<string, JsonOperation> {
  const shape = (parameter: StoredParameter) => ({
    Name: parameter.name,
    Type: parameter.type,
    Value: parameter.value,
    Version: parameter.version,
    LastModifiedDate: parameter.lastModifiedDate,
    ARN: arnOf(parameter.name),
    DataType: 'text',
  });
  const find = (name: string) => store.parameters.get(name.replace(/:\d+$/, ''));
  return {
    GetParameter(input) {
      const name = requiredString(input, 'Name', 'ValidationException');
      const parameter = find(name);
      if (!parameter) throw new JsonApiError('ParameterNotFound', `Parameter ${name} not found.`);
      return { Parameter: shape(parameter) };
    },
    GetParameters(input) {
      const names = Array.isArray(input.Names) ? input.Names.map(String) : [];
      if (names.length === 0 || names.length > 10) {
        throw new JsonApiError('ValidationException', 'Names must hold between 1 and 10 parameter names');
      }
      const found = names.flatMap((name) => {
        const parameter = find(name);
        return parameter ? [shape(parameter)] : [];
      });
      return { Parameters: found, InvalidParameters: names.filter((name) => !find(name)) };
    },
    GetParametersByPath(input) {
      const path = requiredString(input, 'Path', 'ValidationException');
      const prefix = path.endsWith('/') ? path : `${path}/`;
      const recursive = input.Recursive === true;
      const parameters = [...store.parameters.values()]
        .filter((parameter) => {
          if (!parameter.name.startsWith(prefix)) return false;
          return recursive || !parameter.name.slice(prefix.length).includes('/');
        })
        .sort((a, b) => a.name.localeCompare(b.name))
        .map(shape);
      return { Parameters: parameters };
    },
    PutParameter(input) {
      const name = requiredString(input, 'Name', 'ValidationException');
      const value = typeof input.Value === 'string' ? input.Value : undefined;
      if (value === undefined) throw new JsonApiError('ValidationException', 'Value is required');
      const existing = store.parameters.get(name);
      if (existing && input.Overwrite !== true) {
        throw new JsonApiError(
          'ParameterAlreadyExists',
          'The parameter already exists. To overwrite this value, set the overwrite option in the request to true.',
        );
      }
      const type = typeof input.Type === 'string' ? input.Type : (existing?.type ?? 'String');
      if (!TYPES.has(type))
        throw new JsonApiError('ValidationException', `Type ${type} is not one of ${[...TYPES].join(', ')}`);
      const parameter: StoredParameter = {
        name,
        type: type as StoredParameter['type'],
        value,
        version: (existing?.version ?? 0) + 1,
        lastModifiedDate: Date.now() / 1000,
        ...(typeof input.Description === 'string' ? { description: input.Description } : {}),
        ...(existing?.templateValue === undefined ? {} : { templateValue: existing.templateValue }),
      };
      store.parameters.set(name, parameter);
      store.save();
      return { Version: parameter.version, Tier: 'Standard' };
    },
    DeleteParameter(input) {
      const name = requiredString(input, 'Name', 'ValidationException');
      if (!store.parameters.delete(name))
        throw new JsonApiError('ParameterNotFound', `Parameter ${name} not found.`);
      store.save();
      return {};
    },
  };
}
