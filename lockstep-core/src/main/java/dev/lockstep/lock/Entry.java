package dev.lockstep.lock;

/**
 * The state of one active key: its holders and its FIFO queue of waiters. Exists only while the key
 * is held or waited for. All fields are guarded by the owning {@link Segment}'s lock.
 */
final class Entry {
  final LockEngine engine;
  final Object key;
  final int hash;

  /** The exclusive holder, or null. */
  Node writer;

  /** Shared holders, a doubly linked list through {@link Node#next}/{@link Node#prev}. */
  Node readers;

  int readerCount;

  /** The wait queue, oldest first, linked through {@link Node#next}/{@link Node#prev}. */
  Node head;

  Node tail;

  Entry(LockEngine engine, Object key, int hash) {
    this.engine = engine;
    this.key = key;
    this.hash = hash;
  }

  boolean idle() {
    return writer == null && readerCount == 0 && head == null;
  }

  /** Whether a new arrival in the given mode may enter without waiting (nobody queued). */
  boolean admitsNow(LockMode mode) {
    if (head != null || writer != null) {
      return false;
    }
    return mode == LockMode.SHARED || readerCount == 0;
  }

  boolean readBy(Object owner) {
    for (Node r = readers; r != null; r = r.next) {
      if (r.owner == owner) {
        return true;
      }
    }
    return false;
  }

  void hold(Node n) {
    n.status(Node.HELD);
    if (n.mode() == LockMode.EXCLUSIVE) {
      writer = n;
    } else {
      n.prev = null;
      n.next = readers;
      if (readers != null) {
        readers.prev = n;
      }
      readers = n;
      readerCount++;
    }
  }

  void unhold(Node n) {
    if (n.mode() == LockMode.EXCLUSIVE) {
      writer = null;
    } else {
      unlink(n, true);
      readerCount--;
    }
  }

  void enqueue(Node n) {
    n.prev = tail;
    n.next = null;
    if (tail == null) {
      head = n;
    } else {
      tail.next = n;
    }
    tail = n;
  }

  void dequeue(Node n) {
    unlink(n, false);
  }

  private void unlink(Node n, boolean fromReaders) {
    Node p = n.prev;
    Node x = n.next;
    if (p != null) {
      p.next = x;
    } else if (fromReaders) {
      readers = x;
    } else {
      head = x;
    }
    if (x != null) {
      x.prev = p;
    } else if (!fromReaders) {
      tail = p;
    }
    n.prev = null;
    n.next = null;
  }

  /**
   * Grants waiters at the head of the queue that can enter now: one writer, or every reader up to
   * the next writer. Returns the granted waiters chained through {@link Waiter#wakeNext}, or null.
   */
  Waiter promote() {
    Waiter first = null;
    Waiter last = null;
    while (head != null) {
      Waiter n = (Waiter) head; // only waiters are ever queued
      boolean exclusive = n.mode() == LockMode.EXCLUSIVE;
      boolean ok = exclusive ? writer == null && readerCount == 0 : writer == null;
      if (!ok) {
        break;
      }
      dequeue(n);
      hold(n);
      if (first == null) {
        first = n;
      } else {
        last.wakeNext = n;
      }
      last = n;
      if (exclusive) {
        break;
      }
    }
    return first;
  }

  /** Describes the current holders for messages, e.g. {@code "thread main#1"}. */
  String describeHolders() {
    if (writer != null) {
      return writer.describeOwner();
    }
    if (readers == null) {
      return null;
    }
    StringBuilder sb = new StringBuilder();
    int shown = 0;
    for (Node r = readers; r != null && shown < 3; r = r.next, shown++) {
      sb.append(shown == 0 ? "" : ", ").append(r.describeOwner());
    }
    if (readerCount > shown) {
      sb.append(" and ").append(readerCount - shown).append(" more readers");
    }
    return sb.toString();
  }
}
