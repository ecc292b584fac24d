/**
 * The replication transport: how one node's engine writes into, reads from and bulk-syncs a
 * replica hosted on another node.
 *
 * <p><b>Why our own framing on TCP and not gRPC streaming.</b> The stream carries block data and
 * little else, so the framing is a fixed 44-byte header (type, id, two arguments, payload length,
 * payload CRC32C, header CRC32C; see {@link dev.prescient.engine.replication.Frame}) followed by the
 * payload. Per 1 MiB chunk that is 44 bytes plus 8 per block index, with no protobuf encoding of a
 * {@code bytes} field (which copies the data into and out of a message) and no HTTP/2 DATA-frame
 * splitting at 16 KiB. Payloads go from direct buffers to the socket and from the socket straight
 * into the caller's buffer for reads, so a read or write is never copied on the heap. Backpressure
 * is TCP's own: a sender blocks when the peer stops reading, and the bulk sink bounds its memory
 * with a fixed window of in-flight chunks, instead of HTTP/2 flow-control windows layered over TCP
 * ones. Pipelining is explicit: every request has an id, answers are matched by id by one reader
 * thread, so any number of callers share one connection. What gRPC would give us for free (service
 * definitions, deadlines, TLS plumbing) is small here: deadlines are a watchdog per connection, TLS
 * is the JDK's {@code SSLSocket} with client certificates required.
 *
 * <p><b>Integrity.</b> The header has its own checksum so a damaged length can never misframe the
 * stream (the connection is closed instead); the payload checksum is verified before anything is
 * applied, and a damaged payload is answered with a checksum NACK and resent by the client; the
 * client also verifies answers (READ data, dedup bitmaps) and re-asks on mismatch.
 *
 * <p><b>Bulk sync.</b> {@link dev.prescient.engine.replication.RemoteReplica#openSink(int)} batches
 * blocks into chunks; with dedup on, a chunk is first offered as (index, xxh3) pairs and only the
 * blocks the target lacks travel; all-zero blocks travel as ranges; chunk data is LZ4/Zstd
 * compressed when that helps (and the codec backs off on incompressible data).
 */
package dev.prescient.engine.replication;
