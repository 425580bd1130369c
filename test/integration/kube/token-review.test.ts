// TokenReviewAuthenticator against the fake API server's TokenReview endpoint.
import test, { type ExecutionContext } from 'ava';
import { isAmbitError } from '../../../api/errors.js';
import { NODE_NAME_EXTRA, POD_NAME_EXTRA, POD_UID_EXTRA, TokenReviewAuthenticator } from '../../../controller/auth/token-review.js';
import { FakeKubeApiServer } from '../../support/fake-kube-apiserver.js';

const NODE_SA = 'system:serviceaccount:istio-system:ambit-node';

async function setup(t: ExecutionContext): Promise<FakeKubeApiServer> {
  const fake = await FakeKubeApiServer.start();
  t.teardown(() => fake.close());
  fake.setToken('node-a-token', { username: NODE_SA, audiences: ['istio-ca'], extra: { [NODE_NAME_EXTRA]: ['node-a'], 'authentication.kubernetes.io/pod-name': ['ambit-node-x1'] } });
  fake.setToken('other-sa-token', { username: 'system:serviceaccount:default:sleep', audiences: ['istio-ca'], extra: { [NODE_NAME_EXTRA]: ['node-a'] } });
  fake.setToken('waypoint-token', {
    username: 'system:serviceaccount:shop:waypoint', audiences: ['istio-ca'],
    extra: { [NODE_NAME_EXTRA]: ['node-b'], [POD_NAME_EXTRA]: ['waypoint-7d9f-x2'], [POD_UID_EXTRA]: ['0c1e-uid'] },
  });
  fake.setToken('waypoint-unbound-token', { username: 'system:serviceaccount:shop:waypoint', audiences: ['istio-ca'] });
  fake.setToken('waypoint-api-token', { username: 'system:serviceaccount:shop:waypoint', extra: { [NODE_NAME_EXTRA]: ['node-b'] } });
  fake.setToken('user-token', { username: 'alice', audiences: ['istio-ca'], extra: { [NODE_NAME_EXTRA]: ['node-a'] } });
  fake.setToken('node-user-token', { username: 'system:node:node-a', audiences: ['istio-ca'], extra: { [NODE_NAME_EXTRA]: ['node-a'] } });
  fake.setToken('legacy-token', { username: NODE_SA, audiences: ['istio-ca'] });
  fake.setToken('api-audience-token', { username: NODE_SA, extra: { [NODE_NAME_EXTRA]: ['node-a'] } });
  return fake;
}

async function refusal(t: ExecutionContext, p: Promise<unknown>): Promise<string> {
  const err = await t.throwsAsync(p);
  t.true(isAmbitError(err, 'AMBIT_ERR_UNAUTHENTICATED'), String(err));
  return err?.message ?? '';
}

test('a node-bound token of the node daemon service account authenticates as its node', async (t) => {
  const fake = await setup(t);
  const auth = new TokenReviewAuthenticator({ kubeConfig: fake.kubeConfig() });
  t.deepEqual(await auth.authenticate('node-a-token'), { node: 'node-a' });
  t.deepEqual(fake.tokenReviews, [{ token: 'node-a-token', audiences: ['istio-ca'] }]);
});

test('a pod-bound token of another service account authenticates as that one service account, on its node', async (t) => {
  const fake = await setup(t);
  const auth = new TokenReviewAuthenticator({ kubeConfig: fake.kubeConfig() });
  t.deepEqual(await auth.authenticate('waypoint-token'), {
    node: 'node-b', serviceAccount: { namespace: 'shop', name: 'waypoint' }, pod: { name: 'waypoint-7d9f-x2', uid: '0c1e-uid' },
  });
  t.deepEqual(await auth.authenticate('other-sa-token'), { node: 'node-a', serviceAccount: { namespace: 'default', name: 'sleep' } });
  t.deepEqual(fake.tokenReviews.map((r) => r.audiences), [['istio-ca'], ['istio-ca']]);
});

test('a service-account token that is not pod-bound, or not for the CA audience, is refused', async (t) => {
  const fake = await setup(t);
  const auth = new TokenReviewAuthenticator({ kubeConfig: fake.kubeConfig() });
  t.regex(await refusal(t, auth.authenticate('waypoint-unbound-token')), /system:serviceaccount:shop:waypoint.*node-name/);
  t.regex(await refusal(t, auth.authenticate('waypoint-api-token')), /audiences/);
});

test('a user that is not a service account is refused', async (t) => {
  const fake = await setup(t);
  const auth = new TokenReviewAuthenticator({ kubeConfig: fake.kubeConfig() });
  t.regex(await refusal(t, auth.authenticate('user-token')), /"alice" is neither/);
  t.regex(await refusal(t, auth.authenticate('node-user-token')), /"system:node:node-a" is neither/);
});

test('an unknown token (not authenticated) is refused with the API server error', async (t) => {
  const fake = await setup(t);
  const auth = new TokenReviewAuthenticator({ kubeConfig: fake.kubeConfig() });
  t.regex(await refusal(t, auth.authenticate('forged')), /not authenticated: .*invalid bearer token/);
});

test('a token without the node-name claim (not a bound projected token) is refused', async (t) => {
  const fake = await setup(t);
  const auth = new TokenReviewAuthenticator({ kubeConfig: fake.kubeConfig() });
  t.regex(await refusal(t, auth.authenticate('legacy-token')), /node-name/);
});

test('a token issued for another audience is refused', async (t) => {
  const fake = await setup(t);
  const auth = new TokenReviewAuthenticator({ kubeConfig: fake.kubeConfig() });
  t.regex(await refusal(t, auth.authenticate('api-audience-token')), /audiences/);
});

test('audiences and the daemon service account are configurable', async (t) => {
  const fake = await setup(t);
  fake.setToken('custom', { username: 'system:serviceaccount:mesh:agent', audiences: ['ambit'], extra: { [NODE_NAME_EXTRA]: ['node-b'] } });
  const auth = new TokenReviewAuthenticator({ kubeConfig: fake.kubeConfig(), audiences: ['ambit'], daemonServiceAccount: 'mesh/agent' });
  t.deepEqual(await auth.authenticate('custom'), { node: 'node-b' });
  t.regex(await refusal(t, auth.authenticate('node-a-token')), /audiences/);
  t.deepEqual(
    fake.tokenReviews.map((r) => r.audiences),
    [['ambit'], ['ambit']],
  );
  t.throws(() => new TokenReviewAuthenticator({ kubeConfig: fake.kubeConfig(), daemonServiceAccount: 'no-namespace' }), { message: /namespace/ });
});

test('an empty token is refused without asking the API server; a failing review request refuses too', async (t) => {
  const fake = await setup(t);
  const auth = new TokenReviewAuthenticator({ kubeConfig: fake.kubeConfig() });
  await refusal(t, auth.authenticate(''));
  t.is(fake.tokenReviews.length, 0);

  // The controller's own credentials are rejected (401): fail closed.
  const badCreds = new TokenReviewAuthenticator({ kubeConfig: fake.kubeConfig('wrong') });
  t.regex(await refusal(t, badCreds.authenticate('node-a-token')), /TokenReview request failed/);
});
