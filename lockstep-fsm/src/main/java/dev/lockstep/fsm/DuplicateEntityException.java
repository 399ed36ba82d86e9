package dev.lockstep.fsm;

/** {@link FsmEngine#create} found an entity with that id in the store already (any machine). */
public final class DuplicateEntityException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** Creates the exception with a message naming the entity. */
  public DuplicateEntityException(String message) {
    super(message);
  }
}
