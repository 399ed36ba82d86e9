package dev.lockstep.fsm;

/**
 * A store could not do what was asked: the database file could not be opened, migrated, read or
 * written, or the store is closed. The message names the file (or store) and the operation. When
 * thrown by {@link FsmStore#commit}, the transaction did not commit <em>unless</em> the failure
 * came after COMMIT; the engine tells the two apart by looking the attempt up.
 */
public class FsmStoreException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** Creates the exception. */
  public FsmStoreException(String message) {
    super(message);
  }

  /** Creates the exception with its cause. */
  public FsmStoreException(String message, Throwable cause) {
    super(message, cause);
  }
}
