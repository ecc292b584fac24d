package dev.prescient.csi.agent;

import io.grpc.ManagedChannel;
import io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.NettyServerBuilder;
import dev.prescient.engine.tls.PemKeys;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.net.InetSocketAddress;
import java.nio.file.Path;

/**
 * Mutual TLS for the node agent: the server demands a client certificate signed by the cluster CA,
 * the client verifies the server against the same CA. {@code insecure} exists only for tests and
 * the single-machine local mode and must be asked for explicitly.
 *
 * @param cert PEM certificate chain of this party
 * @param key PEM private key of this party: PKCS#8, or PKCS#1 RSA as Helm and cert-manager write it
 * @param ca PEM CA that signs every node agent and client
 */
public record AgentTls(Path cert, Path key, Path ca, boolean insecure) {

    public static AgentTls insecurePlaintext() {
        return new AgentTls(null, null, null, true);
    }

    public NettyServerBuilder serverBuilder(InetSocketAddress bind) throws IOException {
        NettyServerBuilder b = NettyServerBuilder.forAddress(bind);
        if (!insecure) {
            try (InputStream chain = Files.newInputStream(cert); InputStream k = PemKeys.pkcs8(key)) {
                SslContext ctx = GrpcSslContexts.forServer(chain, k)
                        .trustManager(ca.toFile())
                        .clientAuth(ClientAuth.REQUIRE)
                        .build();
                b.sslContext(ctx);
            }
        }
        return b;
    }

    public ManagedChannel channel(String hostPort) throws IOException {
        int colon = hostPort.lastIndexOf(':');
        String host = hostPort.substring(0, colon);
        int port = Integer.parseInt(hostPort.substring(colon + 1));
        NettyChannelBuilder b = NettyChannelBuilder.forAddress(host, port);
        if (insecure) {
            b.usePlaintext();
        } else {
            var ctx = GrpcSslContexts.forClient().trustManager(ca.toFile());
            if (cert != null) {
                try (InputStream chain = Files.newInputStream(cert); InputStream k = PemKeys.pkcs8(key)) {
                    ctx.keyManager(chain, k);
                }
            }
            // Node certificates name the node, not the address we dial; the CA is private to the cluster.
            b.sslContext(ctx.build()).overrideAuthority("prescient-node-agent");
        }
        return b.build();
    }
}
