/**
 * Where the local cloud prints: function output with its START/END/REPORT lines, and the services' own lines.
 * `process.stdout` fits. It sits at the package root because the core (services, composition) and the Lambda
 * service both write to it; living in `lambda/` made the core import a service.
 */
export interface LogSink {
  write(text: string): unknown;
}
