import { useEffect, useState } from 'preact/hooks';
import { Alert } from '../alert';
import type { PanelProps } from '../panel';
import { useAction } from '../use-async';

interface User {
  readonly userId: string;
  readonly email: string;
  readonly role: 'admin' | 'member';
  readonly enabled: boolean;
  readonly createdAt: string;
}

/** The tenant's users (admins only): invite, change a role, disable or enable, remove. */
export function UsersPanel({ api, session }: PanelProps) {
  const [users, setUsers] = useState<readonly User[]>([]);
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<'admin' | 'member'>('member');
  const { busy, error, run } = useAction();

  const reload = async () => setUsers((await api<{ items: User[] }>('GET', '/users?limit=60')).items);
  useEffect(() => {
    void run(reload);
  }, [api, run]);
  const change = (user: User, body: Partial<Pick<User, 'role' | 'enabled'>>) =>
    run(async () => {
      await api('PATCH', `/users/${user.userId}`, body);
      await reload();
    });

  return (
    <section aria-labelledby="users-heading">
      <h2 id="users-heading">Users</h2>
      <form
        class="row"
        aria-label="Invite a user"
        onSubmit={(event) => {
          event.preventDefault();
          void run(async () => {
            await api('POST', '/users', { email: email.trim(), role });
            setEmail('');
            await reload();
          });
        }}
      >
        <label>
          E-mail
          <input type="email" value={email} required onInput={(e) => setEmail(e.currentTarget.value)} />
        </label>
        <label>
          Role
          <select
            value={role}
            onChange={(e) => setRole(e.currentTarget.value === 'admin' ? 'admin' : 'member')}
          >
            <option value="member">member</option>
            <option value="admin">admin</option>
          </select>
        </label>
        <button type="submit" disabled={busy}>
          Invite
        </button>
      </form>
      <Alert message={error} />
      <table>
        <caption>An invited user receives a temporary password by e-mail.</caption>
        <thead>
          <tr>
            <th scope="col">E-mail</th>
            <th scope="col">Role</th>
            <th scope="col">Enabled</th>
            <th scope="col">Actions</th>
          </tr>
        </thead>
        <tbody>
          {users.map((user) => {
            const self = user.email === session.email;
            const other = user.role === 'admin' ? 'member' : 'admin';
            return (
              <tr key={user.userId} data-email={user.email}>
                <td>{user.email}</td>
                <td class="role">{user.role}</td>
                <td class="enabled">{user.enabled ? 'yes' : 'no'}</td>
                <td>
                  {self ? null : (
                    <>
                      <button
                        type="button"
                        disabled={busy}
                        aria-label={`Make ${user.email} ${other}`}
                        onClick={() => change(user, { role: other })}
                      >
                        Make {other}
                      </button>
                      <button
                        type="button"
                        disabled={busy}
                        aria-label={`${user.enabled ? 'Disable' : 'Enable'} ${user.email}`}
                        onClick={() => change(user, { enabled: !user.enabled })}
                      >
                        {user.enabled ? 'Disable' : 'Enable'}
                      </button>
                      <button
                        type="button"
                        disabled={busy}
                        aria-label={`Remove ${user.email}`}
                        onClick={() =>
                          run(async () => {
                            await api('DELETE', `/users/${user.userId}`);
                            await reload();
                          })
                        }
                      >
                        Remove
                      </button>
                    </>
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </section>
  );
}
