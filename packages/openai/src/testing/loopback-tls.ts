/**
 * A self-signed TLS certificate for `127.0.0.1` and `localhost`, for the fake Realtime server.
 *
 * The `openai` SDK's Realtime WebSocket client always connects with `wss:` (it rewrites the
 * scheme of `baseURL`), so a local stand-in must speak TLS. Clients trust this certificate by
 * passing it as `ca` (`webSocketOptions: { ca: LOOPBACK_TLS_CERTIFICATE }`). It is for loopback
 * tests only: the private key is public, so never trust this certificate for anything else.
 * Generated with `openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes
 * -days 36500 -subj "/CN=Voxline loopback test certificate"
 * -addext "subjectAltName=IP:127.0.0.1,DNS:localhost"`.
 */

/** PEM certificate (valid until 2126). */
export const LOOPBACK_TLS_CERTIFICATE = `-----BEGIN CERTIFICATE-----
MIIByzCCAXGgAwIBAgIUebcVNQswXQ2DkKVVy4MKAdFfcIowCgYIKoZIzj0EAwIw
LDEqMCgGA1UEAwwhVm94bGluZSBsb29wYmFjayB0ZXN0IGNlcnRpZmljYXRlMCAX
DTI2MTEyMjAwNDgyNVoYDzIxMjYxMDI5MDA0ODI1WjAsMSowKAYDVQQDDCFWb3hs
aW5lIGxvb3BiYWNrIHRlc3QgY2VydGlmaWNhdGUwWTATBgcqhkjOPQIBBggqhkjO
PQMBBwNCAASJmDMBN4ERC2k5iiley5zGX8z1eUz7GeTrt/VrW4KAzsLWSlJnjyZX
eBt8VTY7+e2likuOQzx/M2o+ixyUpVb9o28wbTAdBgNVHQ4EFgQUIehPfQYyae7d
ECkK8esTvEBPUgIwHwYDVR0jBBgwFoAUIehPfQYyae7dECkK8esTvEBPUgIwDwYD
VR0TAQH/BAUwAwEB/zAaBgNVHREEEzARhwR/AAABgglsb2NhbGhvc3QwCgYIKoZI
zj0EAwIDSAAwRQIhALAo6MEavTCVx3HagSOP03MOhNp1GTCSMcndUmV0kmovAiAt
s7UKyEEvvYX+qYONvu00hJiOgy15bDZOnt7uaTp3gg==
-----END CERTIFICATE-----
`;

/** PEM private key of {@link LOOPBACK_TLS_CERTIFICATE}; public on purpose (loopback tests only). */
export const LOOPBACK_TLS_KEY = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgijT3BdJ0yJnodTjr
zpK79KlJg8SXLfQJ0myokRStcIOhRANCAASJmDMBN4ERC2k5iiley5zGX8z1eUz7
GeTrt/VrW4KAzsLWSlJnjyZXeBt8VTY7+e2likuOQzx/M2o+ixyUpVb9
-----END PRIVATE KEY-----
`;
