package dev.lockstep.lock;

/**
 * The state of one active key: its holders and its FIFO queue of waiters. In its stripe's table
 * only while the key is held or waited for; afterwards the stripe may keep it on a small free list
 * and reuse it for another key. All fields but {@link #engine} are guarded by the owning {@link
 * Segment}'s lock.
 */
final class Entry {
  final LockEngine engine;
  Object key;
  int hash;

  /** The exclusive holder, or null. */
  Node writer;

  /** Shared holders, singly linked through {@link Node#next}. */
  Node readers;

  int readerCount;

  /** The wait queue, oldest first, linked through {@link Node#next} and {@link Waiter#prev}. */
  Waiter head;

  Waiter tail;

  /**
   * The last node of a fast hand-off chain that a contender moved here (see {@link
   * FastSlots#inflate}): while set, the chain's own nodes hold the key and pass it along, and this
   * entry's queue waits behind them; the chain's last releaser clears it ({@link
   * LockEngine#endChain}).
   */
  Node chainTail;

  /** Next on the stripe's free list. */
  Entry nextFree;

  Entry(LockEngine engine) {
    this.engine = engine;
  }

  boolean idle() {
    return writer == null && readerCount == 0 && head == null && chainTail == null;
  }

  /** Whether the key is held, by a holder in the table or by a chain. */
  boolean held() {
    return writer != null || readerCount > 0 || chainTail != null;
  }

  /** Whether the owner holds the key exclusively (a table writer or a chain's holder). */
  boolean heldBy(Object owner) {
    if (writer != null) {
      return writer.owner == owner;
    }
    Node h = chainTail == null ? null : FastSlots.holder(chainTail);
    return h != null && h.owner == owner;
  }

  /** Whether a new arrival in the given mode may enter without waiting (nobody queued). */
  boolean admitsNow(LockMode mode) {
    if (head != null || writer != null || chainTail != null) {
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
      n.next = readers;
      readers = n;
      readerCount++;
    }
  }

  void unhold(Node n) {
    if (n.mode() == LockMode.EXCLUSIVE) {
      writer = null;
      return;
    }
    if (readers == n) {
      readers = n.next;
    } else {
      Node p = readers;
      while (p.next != n) {
        p = p.next;
      }
      p.next = n.next;
    }
    n.next = null;
    readerCount--;
  }

  void enqueue(Waiter n) {
    n.prev = tail;
    n.next = null;
    if (tail == null) {
      head = n;
    } else {
      tail.next = n;
    }
    tail = n;
  }

  void dequeue(Waiter n) {
    Waiter p = (Waiter) n.prev;
    Waiter x = (Waiter) n.next;
    if (p != null) {
      p.next = x;
    } else {
      head = x;
    }
    if (x != null) {
      x.prev = p;
    } else {
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
    if (chainTail != null) {
      return null; // the chain's nodes hold the key; its last releaser promotes
    }
    Waiter first = null;
    Waiter last = null;
    while (head != null) {
      Waiter n = head;
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
    if (chainTail != null) {
      Node h = FastSlots.holder(chainTail);
      return h == null ? null : h.describeOwner();
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
