import { randomUUID } from 'node:crypto';
import { ExecutionError, ExecutionTimeoutError, StateMachine } from 'aws-local-stepfunctions';
import type { StateMachineDefinition } from './state-machine-definitions';
import { taskStates } from './state-machine-definitions';
import { type TaskServices, taskResource } from './task-resources';

/** One execution, as DescribeExecution reports it. */
export interface Execution {
  readonly executionArn: string;
  readonly stateMachineArn: string;
  readonly name: string;
  readonly input: string;
  readonly startDate: number;
  status: 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';
  stopDate?: number;
  output?: string;
  error?: string;
  cause?: string;
  /** Settles when the execution ends. */
  readonly done: Promise<void>;
}

/** A machine the interpreter accepted, with the local handler of each Task state. */
interface PreparedMachine {
  readonly definition: StateMachineDefinition;
  readonly machine: StateMachine;
  readonly handlers: Record<string, (input: unknown) => Promise<unknown>>;
}

/** The error and cause a failed run ends with, as Step Functions reports them. */
function failureOf(error: unknown): { error: string; cause: string } {
  const inner =
    error instanceof ExecutionError ? (error.cause as Error | undefined) : (error as Error | undefined);
  const name = inner?.name ?? 'States.Runtime';
  const message = inner?.message ?? String(error);
  // A Fail state's error and cause are the RuntimeError's name and message; a task's, its error name and text.
  return { error: name, cause: message };
}

/**
 * Runs state machines with aws-local-stepfunctions (an Amazon States Language interpreter: Pass, Task, Choice,
 * Wait, Succeed, Fail, Parallel, Map, Retry and Catch, intrinsic functions): every Task state runs locally
 * through task-resources.ts. Executions are kept in memory for DescribeExecution and ListExecutions.
 */
export class Executions {
  private machines = new Map<string, PreparedMachine>();
  private readonly executions = new Map<string, Execution>();
  private readonly running = new Set<{ abort: () => void }>();

  constructor(private readonly services: TaskServices) {}

  /** Prepares the template's machines; returns the ones that cannot run, with why. */
  load(
    definitions: readonly StateMachineDefinition[],
  ): Array<{ readonly id: string; readonly reason: string }> {
    const refused: Array<{ id: string; reason: string }> = [];
    const machines = new Map<string, PreparedMachine>();
    for (const definition of definitions) {
      const handlers: PreparedMachine['handlers'] = {};
      const unsupported: string[] = [];
      for (const [name, { resource }] of taskStates(definition.definition)) {
        const call = taskResource(resource);
        if ('unsupported' in call) {
          unsupported.push(`${name}: ${call.unsupported}`);
          continue;
        }
        handlers[name] = (input) => call((input ?? {}) as Record<string, unknown>, this.services);
      }
      if (unsupported.length > 0) {
        refused.push({ id: definition.id, reason: unsupported.join('; ') });
        continue;
      }
      try {
        machines.set(definition.arn, {
          definition,
          machine: new StateMachine(definition.definition as never, {
            validationOptions: { checkArn: false },
          }),
          handlers,
        });
      } catch (error) {
        refused.push({ id: definition.id, reason: `the definition is refused: ${(error as Error).message}` });
      }
    }
    this.machines = machines;
    return refused;
  }

  /** The machines, for DescribeStateMachine and ListStateMachines. */
  get definitions(): StateMachineDefinition[] {
    return [...this.machines.values()].map((m) => m.definition);
  }

  find(executionArn: string): Execution | undefined {
    return this.executions.get(executionArn);
  }

  list(stateMachineArn: string): Execution[] {
    return [...this.executions.values()].filter((e) => e.stateMachineArn === stateMachineArn);
  }

  /** Starts an execution; undefined when the machine is unknown. */
  start(stateMachineArn: string, input: string, name: string = randomUUID()): Execution | undefined {
    const prepared = this.machines.get(stateMachineArn);
    if (!prepared) return undefined;
    const { definition } = prepared;
    const kind = definition.type === 'EXPRESS' ? 'express' : 'execution';
    const executionArn = `${stateMachineArn.replace(':stateMachine:', `:${kind}:`)}:${name}`;
    const startDate = Date.now() / 1000;
    const run = prepared.machine.run(JSON.parse(input) as never, {
      overrides: { taskResourceLocalHandlers: prepared.handlers as never },
      context: {
        Execution: {
          Id: executionArn,
          Name: name,
          Input: JSON.parse(input),
          StartTime: new Date(startDate * 1000).toISOString(),
          RoleArn: '',
        },
        StateMachine: { Id: stateMachineArn, Name: definition.name },
      } as never,
    });
    this.running.add(run);
    const execution: Execution = {
      executionArn,
      stateMachineArn,
      name,
      input,
      startDate,
      status: 'RUNNING',
      done: run.result
        .then(
          (output: unknown) => {
            execution.status = 'SUCCEEDED';
            execution.output = JSON.stringify(output ?? null);
          },
          (error: unknown) => {
            if (error instanceof ExecutionTimeoutError) execution.status = 'TIMED_OUT';
            else if ((error as Error)?.name === 'ExecutionAbortedError') execution.status = 'ABORTED';
            else execution.status = 'FAILED';
            const failure = failureOf(error);
            execution.error = execution.status === 'TIMED_OUT' ? 'States.Timeout' : failure.error;
            execution.cause = failure.cause;
          },
        )
        .finally(() => {
          execution.stopDate = Date.now() / 1000;
          this.running.delete(run);
        }),
    };
    this.executions.set(executionArn, execution);
    return execution;
  }

  /** Aborts every running execution. */
  async close(): Promise<void> {
    const pending = [...this.executions.values()].filter((e) => e.status === 'RUNNING').map((e) => e.done);
    for (const run of this.running) run.abort();
    await Promise.allSettled(pending);
  }
}
