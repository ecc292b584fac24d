package dev.prescient.predict.common;

import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class LongIntOpenMapTest {
    @Test
    void emptyMapFindsNothing() {
        LongIntOpenMap m = new LongIntOpenMap(0);
        assertThat(m.size()).isZero();
        assertThat(m.get(0)).isEqualTo(-1);
        assertThat(m.get(Long.MIN_VALUE)).isEqualTo(-1);
    }

    @Test
    void internsDenseSlotsInInsertionOrderAcrossGrowth() {
        LongIntOpenMap m = new LongIntOpenMap(4);
        Map<Long, Integer> ref = new HashMap<>();
        Random r = new Random(1);
        for (int i = 0; i < 100_000; i++) {
            long k = r.nextInt(50_000) * 31L - 7;
            int s = m.intern(k);
            Integer prev = ref.putIfAbsent(k, s);
            if (prev != null) {
                assertThat(s).isEqualTo(prev);
            } else {
                assertThat(s).isEqualTo(ref.size() - 1);
            }
        }
        assertThat(m.size()).isEqualTo(ref.size());
        ref.forEach((k, s) -> {
            assertThat(m.get(k)).isEqualTo(s);
            assertThat(m.keyAt(s)).isEqualTo(k);
        });
        assertThat(m.get(-1_000_000_000L)).isEqualTo(-1);
    }

    @Test
    void extremeKeysAreOrdinaryKeys() {
        LongIntOpenMap m = new LongIntOpenMap(2);
        assertThat(m.intern(Long.MIN_VALUE)).isEqualTo(0);
        assertThat(m.intern(Long.MAX_VALUE)).isEqualTo(1);
        assertThat(m.intern(0)).isEqualTo(2);
        assertThat(m.get(Long.MIN_VALUE)).isEqualTo(0);
    }

    @Test
    void fingerprintsNeverHideOrInventKeys() {
        // keys differing only in high bits, or only in low bits: the probe table keeps a few
        // hash bits beside each slot and must still compare the key itself on a fingerprint match
        LongIntOpenMap m = new LongIntOpenMap(4);
        int n = 300_000;
        for (int i = 0; i < n; i++) {
            long k = (i % 2 == 0) ? (long) i << 32 : i;
            assertThat(m.intern(k)).isEqualTo(i);
        }
        for (int i = 0; i < n; i++) {
            long k = (i % 2 == 0) ? (long) i << 32 : i;
            assertThat(m.get(k)).isEqualTo(i);
            long absent = (i % 2 == 0) ? ((long) i << 32) | 0x8000_0000L : -i - 1;
            assertThat(m.get(absent)).isEqualTo(-1);
        }
        assertThat(m.size()).isEqualTo(n);
    }
}
