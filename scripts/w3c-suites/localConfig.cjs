// credstack as the only implementation under test (vc-test-suite-implementations "Testing locally").
// run.sh copies this file into each suite and sets the environment:
//   CREDSTACK_W3C_BASE_URL       https://127.0.0.1:8443 (CREDSTACK_BASE_URL, behind tls_proxy.py)
//   CREDSTACK_W3C_ISSUER_ID      the demo organization's did:web (the issuer every credential must name)
//   CREDSTACK_W3C_CLIENT_ID      an OAuth client of that organization (`credstack oauth-clients --create`)
//   CREDSTACK_W3C_CLIENT_SECRET  its secret (the harness reads it from the variable named here)
// One issuer entry per cryptosuite: the suites find an issuer by tag and send its `options` as given.
const baseUrl = process.env.CREDSTACK_W3C_BASE_URL || 'https://127.0.0.1:8443';
const issuerId = process.env.CREDSTACK_W3C_ISSUER_ID;

const verifierTags = [
  'vc2.0', 'vc-api', 'eddsa-rdfc-2022', 'eddsa-jcs-2022', 'BitstringStatusList', 'Revocation'
];

module.exports = {
  settings: {enableInteropTests: false, testAllImplementations: false},
  implementations: [{
    name: 'credstack',
    implementation: 'credstack (local)',
    oauth2: {
      clientId: process.env.CREDSTACK_W3C_CLIENT_ID,
      clientSecret: 'CREDSTACK_W3C_CLIENT_SECRET',
      tokenAudience: baseUrl,
      tokenEndpoint: `${baseUrl}/oauth/token`
    },
    issuers: [{
      id: issuerId,
      endpoint: `${baseUrl}/credentials/issue`,
      options: {cryptosuite: 'eddsa-rdfc-2022'},
      supports: {vc: ['1.1', '2.0']},
      tags: ['vc2.0', 'vc-api', 'eddsa-rdfc-2022', 'BitstringStatusList', 'Revocation']
    }, {
      id: issuerId,
      endpoint: `${baseUrl}/credentials/issue`,
      options: {cryptosuite: 'eddsa-jcs-2022'},
      supports: {vc: ['1.1', '2.0']},
      tags: ['eddsa-jcs-2022']
    }],
    verifiers: [{
      id: `${baseUrl}/credentials/verify`,
      endpoint: `${baseUrl}/credentials/verify`,
      supports: {vc: ['1.1', '2.0']},
      tags: verifierTags
    }],
    vpVerifiers: [{
      id: `${baseUrl}/presentations/verify`,
      endpoint: `${baseUrl}/presentations/verify`,
      supports: {vc: ['1.1', '2.0']},
      tags: ['vc2.0', 'vc-api']
    }]
  }]
};
