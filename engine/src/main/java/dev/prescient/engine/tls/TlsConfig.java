package dev.prescient.engine.tls;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Mutual TLS for the engine's TCP listeners (replication stream, NBD after STARTTLS): this node's
 * certificate and key, and the CA that signs the peers. Both sides present a certificate; a server
 * built from this config refuses clients without one ({@code needClientAuth}). TLS 1.3 only. Peers
 * are authenticated by the CA alone: no host name is checked on either side, since node certificates
 * name a service ({@code prescient-node-agent}), not the node addresses they are reached at. The exception is
 * {@link #clientSocketVerifying}, for clients that must know the server is that service (the NBD TLS relay):
 * it checks the service name, still never the address.
 */
public final class TlsConfig {
    private static final char[] EPHEMERAL = "prescient".toCharArray();

    private final SSLContext context;

    private TlsConfig(SSLContext context) {
        this.context = context;
    }

    /**
     * From PEM files: a certificate chain, its unencrypted private key and one or more CA certificates
     * trusted for peers. The key is PKCS#8 ("BEGIN PRIVATE KEY", what {@code openssl genpkey} writes) or
     * PKCS#1 RSA ("BEGIN RSA PRIVATE KEY", what Helm's {@code genSignedCert} and cert-manager write).
     */
    public static TlsConfig fromPem(Path certChain, Path privateKey, Path trustedCa) throws IOException {
        try {
            CertificateFactory cf = CertificateFactory.getInstance("X.509");
            Collection<? extends Certificate> chain;
            try (InputStream is = Files.newInputStream(certChain)) {
                chain = cf.generateCertificates(is);
            }
            PrivateKey key = readKey(Files.readString(privateKey, StandardCharsets.US_ASCII), privateKey.toString());
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            ks.setKeyEntry("node", key, EPHEMERAL, chain.toArray(new Certificate[0]));
            return new TlsConfig(context(ks, EPHEMERAL, trustStore(cf, trustedCa)));
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot load TLS material from " + certChain + ", " + privateKey, e);
        }
    }

    /** From a PKCS#12 key store holding this node's key entry, and a PEM file of trusted CAs. */
    public static TlsConfig fromPkcs12(Path keyStore, char[] password, Path trustedCa) throws IOException {
        try {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            try (InputStream is = Files.newInputStream(keyStore)) {
                ks.load(is, password);
            }
            return new TlsConfig(context(ks, password, trustStore(CertificateFactory.getInstance("X.509"), trustedCa)));
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot load TLS material from " + keyStore, e);
        }
    }

    /** A client-only config that presents no certificate: for tests proving such clients are refused. */
    public static TlsConfig trustOnly(Path trustedCa) throws IOException {
        try {
            SSLContext ctx = SSLContext.getInstance("TLSv1.3");
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trustStore(CertificateFactory.getInstance("X.509"), trustedCa));
            ctx.init(null, tmf.getTrustManagers(), null);
            return new TlsConfig(ctx);
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot load trusted CAs from " + trustedCa, e);
        }
    }

    /** A listening socket that completes mutual TLS with each client it accepts. */
    public SSLServerSocket serverSocket() throws IOException {
        SSLServerSocket s = (SSLServerSocket) context.getServerSocketFactory().createServerSocket();
        SSLParameters p = s.getSSLParameters();
        p.setProtocols(new String[] {"TLSv1.3"});
        p.setNeedClientAuth(true);
        s.setSSLParameters(p);
        return s;
    }

    /** Wraps a connected socket as the client side and completes the handshake. */
    public SSLSocket clientSocket(Socket plain, String host, int port) throws IOException {
        SSLSocket s = (SSLSocket) context.getSocketFactory().createSocket(plain, host, port, true);
        SSLParameters p = s.getSSLParameters();
        p.setProtocols(new String[] {"TLSv1.3"});
        s.setSSLParameters(p);
        s.setUseClientMode(true);
        s.startHandshake();
        return s;
    }

    /**
     * Wraps a connected socket as the client side, completes the handshake and verifies that the server is
     * {@code serverName}, not merely some holder of a certificate from the CA: the name goes out as SNI and as the
     * session's peer host, JSSE checks it with the "HTTPS" endpoint identification (RFC 2818), and then the leaf
     * certificate must carry it as a DNS subject alternative name, exactly (case aside). The second check closes
     * what RFC 2818 leaves open: a certificate without any DNS SAN would pass on its subject CN, and a wildcard
     * would pass for any name below it. Nothing is read or written on the returned socket before both passed;
     * a failure closes it and throws (SSLHandshakeException or SSLPeerUnverifiedException, naming the reason).
     */
    public SSLSocket clientSocketVerifying(Socket plain, String serverName) throws IOException {
        SSLSocket s = (SSLSocket) context.getSocketFactory().createSocket(plain, serverName, plain.getPort(), true);
        try {
            SSLParameters p = s.getSSLParameters();
            p.setProtocols(new String[] {"TLSv1.3"});
            p.setServerNames(List.of(new SNIHostName(serverName)));
            p.setEndpointIdentificationAlgorithm("HTTPS");
            s.setSSLParameters(p);
            s.setUseClientMode(true);
            s.startHandshake();
            Certificate[] peer = s.getSession().getPeerCertificates();
            if (!(peer[0] instanceof X509Certificate leaf) || !hasDnsName(leaf, serverName)) {
                throw new SSLPeerUnverifiedException("the server certificate has no DNS subject alternative name "
                        + serverName + " (it names " + subjectAltNames(peer[0]) + ")");
            }
            return s;
        } catch (IOException | RuntimeException e) {
            try {
                s.close();
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    static boolean hasDnsName(X509Certificate cert, String name) {
        try {
            Collection<List<?>> sans = cert.getSubjectAlternativeNames();
            if (sans != null) {
                for (List<?> san : sans) {
                    if (Integer.valueOf(2).equals(san.get(0)) && name.equalsIgnoreCase(String.valueOf(san.get(1)))) {
                        return true;
                    }
                }
            }
            return false;
        } catch (CertificateParsingException e) {
            return false;
        }
    }

    private static String subjectAltNames(Certificate cert) {
        try {
            if (cert instanceof X509Certificate x && x.getSubjectAlternativeNames() != null) {
                List<String> names = new ArrayList<>();
                for (List<?> san : x.getSubjectAlternativeNames()) {
                    names.add((Integer.valueOf(2).equals(san.get(0)) ? "DNS:" : Integer.valueOf(7).equals(san.get(0)) ? "IP:" : "#" + san.get(0) + ":") + san.get(1));
                }
                return String.join(", ", names);
            }
        } catch (CertificateParsingException ignored) {
            // fall through
        }
        return "no subject alternative names";
    }

    /** The server side of one connection (e.g. NBD after STARTTLS): TLS 1.3, a client certificate required. */
    public SSLEngine serverEngine() {
        SSLEngine e = context.createSSLEngine();
        e.setUseClientMode(false);
        SSLParameters p = e.getSSLParameters();
        p.setProtocols(new String[] {"TLSv1.3"});
        p.setNeedClientAuth(true);
        e.setSSLParameters(p);
        return e;
    }

    private static SSLContext context(KeyStore ks, char[] password, KeyStore trust) throws GeneralSecurityException {
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, password);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext ctx = SSLContext.getInstance("TLSv1.3");
        ctx.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        return ctx;
    }

    private static KeyStore trustStore(CertificateFactory cf, Path caPem) throws IOException, GeneralSecurityException {
        KeyStore ts = KeyStore.getInstance("PKCS12");
        ts.load(null, null);
        try (InputStream is = Files.newInputStream(caPem)) {
            int i = 0;
            for (Certificate c : cf.generateCertificates(is)) {
                ts.setCertificateEntry("ca" + i++, c);
            }
            if (i == 0) {
                throw new IOException("no certificate in " + caPem);
            }
        }
        return ts;
    }

    private static PrivateKey readKey(String pem, String where) throws GeneralSecurityException {
        PKCS8EncodedKeySpec spec;
        try {
            spec = new PKCS8EncodedKeySpec(PemKeys.pkcs8Der(pem, where));
        } catch (IllegalArgumentException e) {
            throw new GeneralSecurityException(e.getMessage(), e);
        }
        List<GeneralSecurityException> failures = new ArrayList<>();
        for (String alg : new String[] {"RSA", "EC", "Ed25519"}) {
            try {
                return KeyFactory.getInstance(alg).generatePrivate(spec);
            } catch (GeneralSecurityException e) {
                failures.add(e);
            }
        }
        GeneralSecurityException e = new GeneralSecurityException("unsupported private key algorithm");
        failures.forEach(e::addSuppressed);
        throw e;
    }
}
