package dev.prescient.predict.tiering;

import java.util.Arrays;

/** Binary min-heap of int ids keyed by a double, with O(log n) update of any member's key. */
final class IndexedMinHeap {
    private int[] heap;
    private int[] pos; // -1 = absent
    private double[] key;
    private int size;

    IndexedMinHeap(int universe, int capacity) {
        heap = new int[Math.max(1, capacity)];
        pos = new int[Math.max(1, universe)];
        Arrays.fill(pos, -1);
        key = new double[Math.max(1, universe)];
    }

    int size() {
        return size;
    }

    boolean contains(int id) {
        return id < pos.length && pos[id] >= 0;
    }

    double key(int id) {
        return key[id];
    }

    int peek() {
        return heap[0];
    }

    void ensureUniverse(int n) {
        if (n > pos.length) {
            int old = pos.length;
            int cap = Math.max(n, old * 2);
            pos = Arrays.copyOf(pos, cap);
            Arrays.fill(pos, old, cap, -1);
            key = Arrays.copyOf(key, cap);
        }
    }

    void insertOrUpdate(int id, double k) {
        ensureUniverse(id + 1);
        int p = pos[id];
        if (p < 0) {
            if (size == heap.length) {
                heap = Arrays.copyOf(heap, heap.length * 2);
            }
            key[id] = k;
            heap[size] = id;
            pos[id] = size;
            up(size++);
        } else {
            double old = key[id];
            key[id] = k;
            if (k < old) {
                up(p);
            } else {
                down(p);
            }
        }
    }

    int poll() {
        int top = heap[0];
        remove(top);
        return top;
    }

    void remove(int id) {
        int p = pos[id];
        if (p < 0) {
            return;
        }
        int last = heap[--size];
        pos[id] = -1;
        if (p < size) {
            heap[p] = last;
            pos[last] = p;
            up(p);
            down(pos[last]);
        }
    }

    private void up(int i) {
        int id = heap[i];
        double k = key[id];
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            int pid = heap[parent];
            if (key[pid] <= k) {
                break;
            }
            heap[i] = pid;
            pos[pid] = i;
            i = parent;
        }
        heap[i] = id;
        pos[id] = i;
    }

    private void down(int i) {
        int id = heap[i];
        double k = key[id];
        while (true) {
            int l = 2 * i + 1;
            if (l >= size) {
                break;
            }
            int r = l + 1;
            int c = (r < size && key[heap[r]] < key[heap[l]]) ? r : l;
            if (key[heap[c]] >= k) {
                break;
            }
            heap[i] = heap[c];
            pos[heap[i]] = i;
            i = c;
        }
        heap[i] = id;
        pos[id] = i;
    }
}
