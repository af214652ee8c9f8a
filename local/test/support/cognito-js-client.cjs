// Signs in with amazon-cognito-identity-js, the client library real users run, in a process of its own (under
// jest's module sandbox its fetch stalls). Input: one JSON argument; output: one JSON line on stdout.
// { endpoint, userPoolId, clientId, username, password, newPassword?, refresh? }
const { AuthenticationDetails, CognitoUser, CognitoUserPool } = require('amazon-cognito-identity-js');

const input = JSON.parse(process.argv[2]);
const pool = new CognitoUserPool({
  UserPoolId: input.userPoolId,
  ClientId: input.clientId,
  endpoint: input.endpoint,
});
const user = new CognitoUser({ Username: input.username, Pool: pool });
const result = { challenges: [] };

function finish(extra) {
  process.stdout.write(`${JSON.stringify({ ...result, ...extra })}\n`);
}

function failed(error) {
  finish({ kind: 'failure', error: { code: error.code, name: error.name, message: error.message } });
}

function succeeded(session) {
  const tokens = {
    idToken: session.getIdToken().getJwtToken(),
    accessToken: session.getAccessToken().getJwtToken(),
    refreshToken: session.getRefreshToken().getToken(),
  };
  if (!input.refresh) return finish({ kind: 'success', ...tokens });
  user.refreshSession(session.getRefreshToken(), (error, refreshed) => {
    if (error) return failed(error);
    finish({ kind: 'success', ...tokens, refreshedIdToken: refreshed.getIdToken().getJwtToken() });
  });
}

user.authenticateUser(new AuthenticationDetails({ Username: input.username, Password: input.password }), {
  onSuccess: succeeded,
  onFailure: failed,
  newPasswordRequired: (attributes) => {
    result.challenges.push({ name: 'NEW_PASSWORD_REQUIRED', attributes });
    if (input.newPassword === undefined) return finish({ kind: 'newPasswordRequired' });
    user.completeNewPasswordChallenge(input.newPassword, {}, { onSuccess: succeeded, onFailure: failed });
  },
});
