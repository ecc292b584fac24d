package dev.prescient.csi.node;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class AttacherBackingTest {
    /** st_dev of FUSE mount 0:215 as glibc encodes it. */
    static final long DEV_0_215 = 215;

    @Test
    void decodesGlibcDeviceNumbers() {
        assertThat(Attacher.majorMinor(DEV_0_215)).isEqualTo("0:215");
        assertThat(Attacher.majorMinor((8L << 8) | 1)).isEqualTo("8:1");
        // major 259 (NVMe partitions) and minor 300 use the high bits
        long dev = ((259L & 0xfff) << 8) | ((259L & ~0xfffL) << 32) | (300L & 0xff) | ((300L & ~0xffL) << 12);
        assertThat(Attacher.majorMinor(dev)).isEqualTo("259:300");
    }

    @Test
    void readsLosetupsPaddedColumns() {
        // what `losetup --list --noheadings -O BACK-INO,BACK-MAJ:MIN /dev/loop4` printed on the real node
        assertThat(Attacher.backs("       2        0:215\n", 2, DEV_0_215)).isTrue();
        assertThat(Attacher.backs("       2        0:215\n", 3, DEV_0_215)).as("another inode").isFalse();
        assertThat(Attacher.backs("       2        0:216\n", 2, DEV_0_215)).as("another FUSE mount").isFalse();
        assertThat(Attacher.backs("", 2, DEV_0_215)).isFalse();
    }
}
