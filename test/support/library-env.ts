import { LIBRARY_ENV } from './test-env';

// Only what the AWS SDK and Powertools read on their own; the services' config is passed explicitly.
Object.assign(process.env, LIBRARY_ENV);
