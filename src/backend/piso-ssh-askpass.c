/* piso-ssh-askpass.c: OpenSSH's askpass program, relaying to Piso
 *
 * OpenSSH runs this program (SSH_ASKPASS) with the question as its argument
 * and SSH_ASKPASS_PROMPT as a hint ("confirm", "none" for a notice, unset
 * for a secret). It sends "HINT\nQUESTION\0" to the PisoSshSession that
 * started ssh, over the unix socket named by PISO_SSH_ASKPASS_SOCKET (in a
 * directory only the user can enter), waits for the reply — "y" and the
 * answer, or nothing if the user cancelled — and prints the answer for ssh.
 * Plain POSIX on purpose: it starts for every prompt and links nothing.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static int
write_all (int         fd,
           const char *data,
           size_t      len)
{
  while (len > 0)
    {
      ssize_t n = write (fd, data, len);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return -1;
      data += n;
      len -= (size_t) n;
    }
  return 0;
}

int
main (int   argc,
      char *argv[])
{
  const char *path = getenv ("PISO_SSH_ASKPASS_SOCKET");
  const char *hint = getenv ("SSH_ASKPASS_PROMPT");
  const char *question = argc > 1 ? argv[1] : "";
  struct sockaddr_un addr = { .sun_family = AF_UNIX };
  char reply[4096];
  size_t got = 0;
  int fd;

  if (path == NULL || strlen (path) >= sizeof addr.sun_path)
    {
      fprintf (stderr, "piso-ssh-askpass: run by Piso only (PISO_SSH_ASKPASS_SOCKET unset)\n");
      return 1;
    }
  memcpy (addr.sun_path, path, strlen (path) + 1);

  fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0 || connect (fd, (struct sockaddr *) &addr, sizeof addr) < 0)
    {
      perror ("piso-ssh-askpass: connect");
      return 1;
    }
  if (write_all (fd, hint != NULL ? hint : "", hint != NULL ? strlen (hint) : 0) < 0 ||
      write_all (fd, "\n", 1) < 0 ||
      write_all (fd, question, strlen (question) + 1) < 0)
    return 1;

  /* The reply ends when Piso closes the socket; a notice ("none") never gets
   * one: ssh kills this process when the notice is over. */
  for (;;)
    {
      ssize_t n = read (fd, reply + got, sizeof reply - 1 - got);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        break;
      got += (size_t) n;
      if (got == sizeof reply - 1)
        break;
    }
  close (fd);
  reply[got] = '\0';

  if (got == 0 || reply[0] != 'y')
    return 1;
  printf ("%s\n", reply + 1);
  return 0;
}
