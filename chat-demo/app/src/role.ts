// Who is asking: the speaker (the tailnet, PORT) or the audience (the funnel, AUDIENCE_PORT on the
// loopback). It comes from the listener a request arrived on, never from anything the client sends.
export type Role = 'speaker' | 'audience'
