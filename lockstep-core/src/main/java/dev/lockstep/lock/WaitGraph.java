package dev.lockstep.lock;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The wait-for graph of a {@link LockRegistry}: which owner waits for which key of which lock. An
 * owner is the thread that asked (for asynchronous waits too).
 *
 * <p>Implementation notes: registrations and cycle searches are serialized by one mutex, so of two
 * waits that close a cycle together the later one always sees the earlier and fails. Edges are the
 * waiting {@link Node}s themselves; a node that has been granted meanwhile no longer counts, so a
 * stale registration never produces a false cycle. Holders are read under their stripe locks (lock
 * order: graph mutex, then stripe). Only contended acquisitions of registry locks come here.
 */
final class WaitGraph {
  private final ReentrantLock mutex = new ReentrantLock();
  private final Map<Object, List<Waiter>> waiting = new HashMap<>();

  /**
   * Records that the node's owner waits; returns the deadlock this wait closes (after removing the
   * registration), or null.
   */
  DeadlockException register(Waiter n) {
    mutex.lock();
    try {
      waiting.computeIfAbsent(n.owner, t -> new ArrayList<>(1)).add(n);
      List<String> path = new ArrayList<>();
      if (reaches(n, n.owner, path, new HashSet<>())) {
        remove(n);
        return new DeadlockException(
            "deadlock: " + String.join("; ", path) + " — refused the wait that closes the cycle",
            path);
      }
      return null;
    } finally {
      mutex.unlock();
    }
  }

  void unregister(Waiter n) {
    mutex.lock();
    try {
      remove(n);
    } finally {
      mutex.unlock();
    }
  }

  /** Whether, following wait-for edges from node {@code n}, we come back to {@code target}. */
  private boolean reaches(Waiter n, Object target, List<String> path, Set<Object> seen) {
    if (n.status() != Node.WAITING) {
      return false;
    }
    for (Object holder : n.engine().holdersOf(n)) {
      path.add(
          LockEngine.describe(n.owner)
              + " waits for key '"
              + n.key
              + "' of lock '"
              + n.engine().name
              + "' held by "
              + LockEngine.describe(holder));
      if (holder == target) {
        return true;
      }
      if (seen.add(holder)) {
        for (Waiter next : waiting.getOrDefault(holder, List.of())) {
          if (reaches(next, target, path, seen)) {
            return true;
          }
        }
      }
      path.remove(path.size() - 1);
    }
    return false;
  }

  private void remove(Waiter n) {
    List<Waiter> list = waiting.get(n.owner);
    if (list != null) {
      list.remove(n);
      if (list.isEmpty()) {
        waiting.remove(n.owner);
      }
    }
  }
}
