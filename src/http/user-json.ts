/** The `user/` object of API.md (dj-rest-auth's UserDetailsSerializer): `pk` and `email` are read-only. */
export interface PublicUser {
  id: number;
  username: string;
  email: string | null;
  firstName: string;
  lastName: string;
}

export function userJson(user: PublicUser) {
  return {
    pk: user.id,
    username: user.username,
    email: user.email ?? "",
    first_name: user.firstName,
    last_name: user.lastName,
  };
}
