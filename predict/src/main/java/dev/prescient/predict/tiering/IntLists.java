package dev.prescient.predict.tiering;

import java.util.Arrays;

/**
 * Several doubly linked lists over one id space, each id in at most one list; all links in int
 * arrays. Head = most recently inserted (MRU), tail = LRU.
 */
final class IntLists {
    static final int NONE = -1;
    private int[] prev;
    private int[] next;
    private int[] list;
    private final int[] head;
    private final int[] tail;
    private final int[] size;

    IntLists(int lists, int universe) {
        int u = Math.max(1, universe);
        prev = new int[u];
        next = new int[u];
        list = new int[u];
        Arrays.fill(list, NONE);
        head = new int[lists];
        tail = new int[lists];
        size = new int[lists];
        Arrays.fill(head, NONE);
        Arrays.fill(tail, NONE);
    }

    void ensureUniverse(int n) {
        if (n > list.length) {
            int old = list.length;
            int cap = Math.max(n, old * 2);
            prev = Arrays.copyOf(prev, cap);
            next = Arrays.copyOf(next, cap);
            list = Arrays.copyOf(list, cap);
            Arrays.fill(list, old, cap, NONE);
        }
    }

    int listOf(int id) {
        return id < list.length ? list[id] : NONE;
    }

    int size(int l) {
        return size[l];
    }

    int tail(int l) {
        return tail[l];
    }

    void pushHead(int l, int id) {
        ensureUniverse(id + 1);
        list[id] = l;
        prev[id] = NONE;
        next[id] = head[l];
        if (head[l] != NONE) {
            prev[head[l]] = id;
        } else {
            tail[l] = id;
        }
        head[l] = id;
        size[l]++;
    }

    void remove(int id) {
        int l = list[id];
        if (l == NONE) {
            return;
        }
        int p = prev[id];
        int n = next[id];
        if (p != NONE) {
            next[p] = n;
        } else {
            head[l] = n;
        }
        if (n != NONE) {
            prev[n] = p;
        } else {
            tail[l] = p;
        }
        list[id] = NONE;
        size[l]--;
    }

    int removeTail(int l) {
        int t = tail[l];
        if (t != NONE) {
            remove(t);
        }
        return t;
    }
}
