import { JsonApiError, jsonApiHandler, requiredString } from '../json-api-server';
import type { LocalService } from '../local-service';
import { loopbackServer } from '../loopback-server';
import { awsServiceEndpoints } from '../rest-api/rest-api-service';
import { type Execution, Executions } from './executions';
import { stateMachinesOfTemplate } from './state-machine-definitions';

/** What Step Functions' Task states reach besides functions. */
export interface StepFunctionsServiceOptions {
  readonly sendToQueue: (queueArn: string, body: string, messageGroupId?: string) => Promise<void>;
}

function describe(execution: Execution) {
  return {
    executionArn: execution.executionArn,
    stateMachineArn: execution.stateMachineArn,
    name: execution.name,
    status: execution.status,
    startDate: execution.startDate,
    ...(execution.stopDate === undefined ? {} : { stopDate: execution.stopDate }),
    input: execution.input,
    inputDetails: { included: true },
    ...(execution.output === undefined
      ? {}
      : { output: execution.output, outputDetails: { included: true } }),
    ...(execution.error === undefined ? {} : { error: execution.error }),
    ...(execution.cause === undefined ? {} : { cause: execution.cause }),
  };
}

/**
 * Step Functions: the template's state machines (definitions with their substitutions, run by
 * aws-local-stepfunctions), StartExecution, StartSyncExecution (express machines), DescribeExecution,
 * ListExecutions, DescribeStateMachine and ListStateMachines on one endpoint (`AWS_ENDPOINT_URL_SFN`). Not
 * emulated: activities, `.sync`/`.waitForTaskToken` integrations, execution history, StopExecution, Map's
 * distributed mode, redrive; logging and tracing settings are accepted.
 */
export function stepFunctionsService(options: StepFunctionsServiceOptions): LocalService {
  return {
    name: 'stepfunctions',
    resourceTypes: {
      emulated: ['AWS::StepFunctions::StateMachine'],
      notEmulated: {
        'AWS::StepFunctions::Activity': 'activities are not emulated',
        'AWS::StepFunctions::StateMachineAlias': 'aliases are not emulated (call the state machine)',
        'AWS::StepFunctions::StateMachineVersion': 'versions are not emulated (call the state machine)',
      },
    },
    async bind(context) {
      let executions: Executions | undefined;
      const ready = () => {
        if (!executions) throw new JsonApiError('ServiceUnavailable', 'Step Functions is starting', 503);
        return executions;
      };
      const machineOf = (input: Record<string, unknown>) => {
        const arn = requiredString(input, 'stateMachineArn', 'InvalidArn');
        const machine = ready().definitions.find((m) => m.arn === arn);
        if (!machine)
          throw new JsonApiError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${arn}'`);
        return machine;
      };
      const inputOf = (input: Record<string, unknown>) => {
        const text = typeof input.input === 'string' ? input.input : '{}';
        try {
          JSON.parse(text);
        } catch {
          throw new JsonApiError(
            'InvalidExecutionInput',
            'Invalid State Machine Execution Input: the input is not JSON',
          );
        }
        return text;
      };
      const api = {
        StartExecution(input: Record<string, unknown>) {
          const machine = machineOf(input);
          const started = ready().start(
            machine.arn,
            inputOf(input),
            typeof input.name === 'string' ? input.name : undefined,
          );
          if (!started)
            throw new JsonApiError(
              'StateMachineDoesNotExist',
              `State Machine Does Not Exist: '${machine.arn}'`,
            );
          return { executionArn: started.executionArn, startDate: started.startDate };
        },
        async StartSyncExecution(input: Record<string, unknown>) {
          const machine = machineOf(input);
          if (machine.type !== 'EXPRESS') {
            throw new JsonApiError(
              'StateMachineTypeNotSupported',
              'This operation is not supported by this type of state machine',
            );
          }
          const started = ready().start(
            machine.arn,
            inputOf(input),
            typeof input.name === 'string' ? input.name : undefined,
          );
          if (!started)
            throw new JsonApiError(
              'StateMachineDoesNotExist',
              `State Machine Does Not Exist: '${machine.arn}'`,
            );
          await started.done;
          return {
            ...describe(started),
            billingDetails: { billedDurationInMilliseconds: 100, billedMemoryUsedInMB: 64 },
          };
        },
        DescribeExecution(input: Record<string, unknown>) {
          const arn = requiredString(input, 'executionArn', 'InvalidArn');
          const found = ready().find(arn);
          if (!found) throw new JsonApiError('ExecutionDoesNotExist', `Execution Does Not Exist: '${arn}'`);
          return describe(found);
        },
        ListExecutions(input: Record<string, unknown>) {
          const machine = machineOf(input);
          return {
            executions: ready()
              .list(machine.arn)
              .map((e) => ({
                executionArn: e.executionArn,
                stateMachineArn: e.stateMachineArn,
                name: e.name,
                status: e.status,
                startDate: e.startDate,
                ...(e.stopDate === undefined ? {} : { stopDate: e.stopDate }),
              })),
          };
        },
        DescribeStateMachine(input: Record<string, unknown>) {
          const machine = machineOf(input);
          return {
            stateMachineArn: machine.arn,
            name: machine.name,
            status: 'ACTIVE',
            definition: JSON.stringify(machine.definition),
            type: machine.type,
            roleArn: '',
            creationDate: 0,
          };
        },
        ListStateMachines() {
          return {
            stateMachines: ready().definitions.map((m) => ({
              stateMachineArn: m.arn,
              name: m.name,
              type: m.type,
              creationDate: 0,
            })),
          };
        },
      };
      const server = loopbackServer((req, res) => {
        jsonApiHandler({ AWSStepFunctions: api })(req, res).catch((error: unknown) => {
          context.log(`internal error: ${String(error)}`);
          if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/x-amz-json-1.0' });
          res.end(JSON.stringify({ __type: 'InternalFailure', message: 'internal error' }));
        });
      });
      const endpoint = await server.listen(context.servicePort(0));
      return {
        functionEnv: { AWS_ENDPOINT_URL_SFN: endpoint },
        async start({ model, invoker, functionEnv }) {
          executions = new Executions({
            invoker,
            sendToQueue: options.sendToQueue,
            endpoints: awsServiceEndpoints(functionEnv),
            region: model.region,
            account: model.accountId,
            credentials: context.credentials,
          });
          const load = (next: typeof model) => {
            const { machines, invalid } = stateMachinesOfTemplate(next);
            return [...invalid, ...(executions?.load(machines) ?? [])].map(({ id, reason }) => ({
              type: 'AWS::StepFunctions::StateMachine',
              logicalIds: [id],
              reason,
            }));
          };
          const notServed = load(model);
          return {
            endpoints: [{ kind: 'Step Functions', name: 'stepfunctions', url: endpoint }],
            notServed,
            reload: async (next) => {
              load(next.model);
              return { changed: ['state machines re-read'] };
            },
          };
        },
        async close() {
          await executions?.close();
          await server.close();
        },
      };
    },
  };
}
