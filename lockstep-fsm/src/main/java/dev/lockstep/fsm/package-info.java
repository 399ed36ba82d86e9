/**
 * Persistent per-entity state machines.
 *
 * <ul>
 *   <li>Definitions: immutable {@link dev.lockstep.fsm.MachineDefinition}s built in Java or loaded
 *       from YAML/JSON files (guards as CEL expressions), validated when built, and exported to
 *       Mermaid and Graphviz DOT.
 *   <li>The engine: {@link dev.lockstep.fsm.FsmEngine} fires events as one store transaction each
 *       and answers with a sealed {@link dev.lockstep.fsm.FireResult}; every attempt is logged as
 *       an {@link dev.lockstep.fsm.Attempt}; effects go through an outbox.
 *   <li>Storage: the {@link dev.lockstep.fsm.FsmStore} SPI with an in-memory and a SQLite store.
 * </ul>
 */
package dev.lockstep.fsm;
