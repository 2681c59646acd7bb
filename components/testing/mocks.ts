import * as pulumi from "@pulumi/pulumi";

/** One resource a component declared under Pulumi mocks. */
export interface Declared {
  type: string;
  name: string;
  inputs: Record<string, any>;
}

/**
 * Pulumi mocks that record what gets declared, without any engine, broker or database. Call it
 * before declaring resources; the returned list fills as they register.
 */
export function recordDeclaredResources(): Declared[] {
  const declared: Declared[] = [];
  pulumi.runtime.setMocks({
    newResource: (args) => {
      declared.push({ type: args.type, name: args.name, inputs: args.inputs });
      return { id: `${args.name}-id`, state: args.inputs };
    },
    call: () => ({}),
  }, "clinicmaster-warehouse", "central", false);
  return declared;
}

/** Waits (bounded) until `count` resources of `type` registered: some wait on others' outputs. */
export async function declaredOfType(declared: Declared[], type: string, count: number): Promise<Declared[]> {
  for (let i = 0; i < 50 && declared.filter((r) => r.type === type).length < count; i++) {
    await new Promise((r) => setTimeout(r, 20));
  }
  return declared.filter((r) => r.type === type);
}
