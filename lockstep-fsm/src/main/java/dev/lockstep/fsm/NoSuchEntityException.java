package dev.lockstep.fsm;

/**
 * The entity fired at does not exist in the store, or belongs to another machine. Returned inside
 * {@link FireResult.Failed}; the attempt is logged.
 */
public final class NoSuchEntityException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** Creates the exception with a message naming the entity. */
  public NoSuchEntityException(String message) {
    super(message);
  }
}
