/**
 * Persistent per-entity state machines: immutable {@link dev.lockstep.fsm.MachineDefinition}s built
 * in Java or loaded from YAML/JSON files (guards as CEL expressions), validated when built, and
 * exported to Mermaid and Graphviz DOT.
 */
package dev.lockstep.fsm;
