// Sign credentials with digitalbazaar's implementations of the proof types credstack only verifies, offline.
//
//   node sign.mjs CONTEXTS.json > signed.json
//
// CONTEXTS: {url: file path} (credstack's bundled contexts). Prints {"cases": [{"name", "credential",
// "documents"}]}: each credential signed (or, for ecdsa-sd-2023, derived) by the npm packages
// @digitalbazaar/ecdsa-rdfc-2019-cryptosuite, ecdsa-jcs-2019-cryptosuite, ecdsa-sd-2023-cryptosuite and
// ed25519-signature-2020, with fresh keys; "documents" holds what a verifier must resolve (a did:web DID
// document). Only the given contexts are loaded: nothing goes to the network.
import {readFileSync} from 'node:fs';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import * as EcdsaMultikey from '@digitalbazaar/ecdsa-multikey';
import {cryptosuite as ecdsaRdfc2019} from '@digitalbazaar/ecdsa-rdfc-2019-cryptosuite';
import * as ecdsaJcs2019 from '@digitalbazaar/ecdsa-jcs-2019-cryptosuite';
import * as ecdsaSd2023 from '@digitalbazaar/ecdsa-sd-2023-cryptosuite';
import {Ed25519Signature2020} from '@digitalbazaar/ed25519-signature-2020';
import {Ed25519VerificationKey2020} from '@digitalbazaar/ed25519-verification-key-2020';
import * as vc from '@digitalbazaar/vc';

const contextFiles = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const contexts = {};
for(const [url, path] of Object.entries(contextFiles)) {
  contexts[url] = JSON.parse(readFileSync(path, 'utf8'));
}
const documents = {};

function documentLoader(url) {
  if(contexts[url]) {
    return {contextUrl: null, documentUrl: url, document: contexts[url]};
  }
  const [base] = url.split('#');
  if(documents[base]) {
    const doc = documents[base];
    const method = (doc.verificationMethod || []).find(m => m.id === url);
    return {contextUrl: null, documentUrl: url, document: method ? {
      '@context': doc['@context'], ...method} : doc};
  }
  if(url.startsWith('did:key:')) {
    // a did:key names its own key: enough for signing (the verifier resolves did:key itself)
    const key = url.split('#')[0].slice('did:key:'.length);
    return {contextUrl: null, documentUrl: url, document: {
      '@context': 'https://w3id.org/security/multikey/v1', id: `did:key:${key}#${key}`, type: 'Multikey',
      controller: `did:key:${key}`, publicKeyMultibase: key}};
  }
  throw new Error(`offline document loader: ${url} is not available`);
}

function credentialV2(issuer, extra = {}) {
  return {
    '@context': ['https://www.w3.org/ns/credentials/v2', 'https://www.w3.org/ns/credentials/examples/v2'],
    id: 'urn:uuid:3978344f-8596-4c3a-a978-8fcaba3903c5',
    type: ['VerifiableCredential', 'AlumniCredential'],
    name: 'Alumni Credential',
    issuer,
    validFrom: '2024-01-01T00:00:00Z',
    credentialSubject: {id: 'did:example:learner', alumniOf: 'The School of Examples'},
    ...extra
  };
}

function openBadge(issuer) {
  return {
    '@context': ['https://www.w3.org/ns/credentials/v2',
      'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json'],
    id: 'urn:uuid:8a6c1e32-4a44-4c47-9c8d-7c3d1f0a2b11',
    type: ['VerifiableCredential', 'OpenBadgeCredential'],
    name: 'Teamwork',
    issuer: {id: issuer, type: ['Profile'], name: 'Example College'},
    validFrom: '2024-01-01T00:00:00Z',
    credentialSubject: {
      type: ['AchievementSubject'],
      id: 'did:example:learner',
      achievement: {
        id: 'https://example.org/achievements/teamwork',
        type: ['Achievement'],
        name: 'Teamwork',
        description: 'Collaborates within a group.',
        criteria: {narrative: 'Nominated by peers.'}
      }
    }
  };
}

async function ecdsaKey(curve) {
  const keyPair = await EcdsaMultikey.generate({curve});
  const controller = `did:key:${keyPair.publicKeyMultibase}`;
  keyPair.controller = controller;
  keyPair.id = `${controller}#${keyPair.publicKeyMultibase}`;
  return keyPair;
}

const cases = [];

for(const curve of ['P-256', 'P-384']) {
  for(const [name, cryptosuite] of [
    ['ecdsa-rdfc-2019', ecdsaRdfc2019], ['ecdsa-jcs-2019', ecdsaJcs2019.createSignCryptosuite()]]) {
    const key = await ecdsaKey(curve);
    const suite = new DataIntegrityProof({signer: key.signer(), cryptosuite});
    const credential = await vc.issue({credential: credentialV2(key.controller), suite, documentLoader});
    cases.push({name: `${name}-${curve}`, credential, documents: {}});
  }
}

{
  const key = await ecdsaKey('P-256');
  const suite = new DataIntegrityProof({
    signer: key.signer(),
    cryptosuite: ecdsaSd2023.createSignCryptosuite({mandatoryPointers: ['/issuer', '/validFrom']})
  });
  const base = await vc.issue({credential: openBadge(key.controller), suite, documentLoader});
  cases.push({name: 'ecdsa-sd-2023-base', credential: base, documents: {}});
  const derived = await vc.derive({
    verifiableCredential: base,
    suite: new DataIntegrityProof({cryptosuite: ecdsaSd2023.createDiscloseCryptosuite({
      selectivePointers: ['/credentialSubject/achievement/name', '/name']})}),
    documentLoader
  });
  cases.push({name: 'ecdsa-sd-2023-derived', credential: derived, documents: {}});
}

async function ed25519Case(name, controller, vcVersion) {
  const key = await Ed25519VerificationKey2020.generate({controller});
  key.id = `${controller}#${key.fingerprint()}`;
  const suite = new Ed25519Signature2020({key});
  const base = vcVersion === 1 ? {
    '@context': ['https://www.w3.org/2018/credentials/v1', 'https://w3id.org/security/suites/ed25519-2020/v1',
      'https://www.w3.org/ns/credentials/examples/v2'],
    id: 'urn:uuid:5d1a0bde-7b8c-4a0e-8c61-2b0d5c9c6f27',
    type: ['VerifiableCredential', 'AlumniCredential'],
    issuer: controller,
    issuanceDate: '2024-01-01T00:00:00Z',
    credentialSubject: {id: 'did:example:learner', alumniOf: 'The School of Examples'}
  } : {...credentialV2(controller), '@context': ['https://www.w3.org/ns/credentials/v2',
    'https://www.w3.org/ns/credentials/examples/v2', 'https://w3id.org/security/suites/ed25519-2020/v1']};
  const docs = {};
  if(controller.startsWith('did:web:')) {
    docs[controller] = {
      '@context': ['https://www.w3.org/ns/did/v1', 'https://w3id.org/security/suites/ed25519-2020/v1'],
      id: controller,
      verificationMethod: [{id: key.id, type: 'Ed25519VerificationKey2020', controller,
        publicKeyMultibase: key.publicKeyMultibase}],
      assertionMethod: [key.id]
    };
    Object.assign(documents, docs);
  }
  const credential = await vc.issue({credential: base, suite, documentLoader});
  cases.push({name, credential, documents: docs});
}

{
  const seedKey = await Ed25519VerificationKey2020.generate();
  const didKey = `did:key:${seedKey.fingerprint()}`;
  // a did:key controller must name the key itself: sign with that very key
  const suite = new Ed25519Signature2020({key: Object.assign(seedKey, {controller: didKey,
    id: `${didKey}#${seedKey.fingerprint()}`})});
  const base = credentialV2(didKey);
  base['@context'].push('https://w3id.org/security/suites/ed25519-2020/v1');
  const credential = await vc.issue({credential: base, suite, documentLoader});
  cases.push({name: 'Ed25519Signature2020-did-key', credential, documents: {}});
  // a holder's presentation, as the DCC Learner Credential Wallet signs it (authentication, a challenge)
  const presentation = vc.createPresentation({verifiableCredential: [credential], holder: didKey});
  presentation['@context'].push('https://w3id.org/security/suites/ed25519-2020/v1');
  const signedPresentation = await vc.signPresentation({
    presentation, suite, challenge: 'c0ae1c8e-c7e7-469f-b252-86e6a0e7387e', documentLoader});
  cases.push({name: 'Ed25519Signature2020-presentation', credential: signedPresentation, documents: {}});
}
await ed25519Case('Ed25519Signature2020-did-web-vc1', 'did:web:issuer.example', 1);
await ed25519Case('Ed25519Signature2020-did-web-vc2', 'did:web:issuer.example:orgs:7', 2);

console.log(JSON.stringify({cases}));
