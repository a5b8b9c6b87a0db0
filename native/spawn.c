/*
 * andon's native spawner (Linux): posix_spawn instead of fork. Node's child_process forks the
 * whole Node process for every job, and copying the page tables of a ~50 MB process is most of
 * what a short job costs; posix_spawn (vfork under glibc) shares them until the child execs.
 * The child starts in a session of its own (its own process group), stdin from the descriptor
 * given or /dev/null, stdout and stderr on the descriptors given, every signal at its default
 * and none blocked.
 * Its end is noticed through a pidfd polled by Node's own event loop, then reaped with waitid.
 *
 *   spawn(file, argv, envp, cwd | null, stdoutFd, stderrFd, onExit(exitCode, signalNumber)[, stdinFd]) -> pid
 *
 * A start that fails (no such file, not executable, no such directory) throws an Error whose
 * `code` is the errno name, as Node's own spawn reports it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <node_api.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <uv.h>

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif

typedef struct {
  uv_poll_t poll;
  napi_env env;
  napi_ref on_exit;
  napi_async_context context;
  int pidfd;
  pid_t pid;
} child_t;

static napi_value throw_errno(napi_env env, int error, const char *what) {
  napi_value message, code, value;
  char text[256];
  snprintf(text, sizeof text, "%s: %s", what, strerror(error));
  napi_create_string_utf8(env, text, NAPI_AUTO_LENGTH, &message);
  const char *name = error == ENOENT ? "ENOENT" : error == EACCES ? "EACCES" : error == ENOTDIR ? "ENOTDIR" : error == ENOEXEC ? "ENOEXEC" : error == E2BIG ? "E2BIG" : "ESPAWN";
  napi_create_string_utf8(env, name, NAPI_AUTO_LENGTH, &code);
  napi_create_error(env, code, message, &value);
  napi_set_named_property(env, value, "code", code);
  napi_throw(env, value);
  return NULL;
}

/* A JS string as a malloc'd C string (NULL on failure). */
static char *string_of(napi_env env, napi_value value) {
  size_t length;
  if (napi_get_value_string_utf8(env, value, NULL, 0, &length) != napi_ok) return NULL;
  char *text = malloc(length + 1);
  if (text == NULL) return NULL;
  napi_get_value_string_utf8(env, value, text, length + 1, &length);
  return text;
}

/* A JS array of strings as a NULL-terminated, malloc'd vector (NULL on failure). */
static char **vector_of(napi_env env, napi_value array) {
  uint32_t count;
  if (napi_get_array_length(env, array, &count) != napi_ok) return NULL;
  char **vector = calloc(count + 1, sizeof(char *));
  if (vector == NULL) return NULL;
  for (uint32_t i = 0; i < count; i++) {
    napi_value element;
    napi_get_element(env, array, i, &element);
    vector[i] = string_of(env, element);
    if (vector[i] == NULL) return vector;
  }
  return vector;
}

static void free_vector(char **vector) {
  if (vector == NULL) return;
  for (char **entry = vector; *entry != NULL; entry++) free(*entry);
  free(vector);
}

static void on_closed(uv_handle_t *handle) {
  free(handle->data);
}

static void on_readable(uv_poll_t *poll, int status, int events) {
  (void)status;
  (void)events;
  child_t *child = poll->data;
  siginfo_t info;
  memset(&info, 0, sizeof info);
  if (waitid(P_PID, child->pid, &info, WEXITED | WNOHANG) != 0 || info.si_pid == 0) return;
  uv_poll_stop(&child->poll);
  close(child->pidfd);
  napi_env env = child->env;
  napi_handle_scope scope;
  napi_open_handle_scope(env, &scope);
  napi_value on_exit, global, args[2], ignored;
  napi_get_reference_value(env, child->on_exit, &on_exit);
  napi_get_global(env, &global);
  int exited = info.si_code == CLD_EXITED;
  if (exited) {
    napi_create_int32(env, info.si_status, &args[0]);
    napi_get_null(env, &args[1]);
  } else {
    napi_get_null(env, &args[0]);
    napi_create_int32(env, info.si_status, &args[1]);
  }
  napi_delete_reference(env, child->on_exit);
  napi_make_callback(env, child->context, global, on_exit, 2, args, &ignored);
  napi_async_destroy(env, child->context);
  napi_close_handle_scope(env, scope);
  uv_close((uv_handle_t *)&child->poll, on_closed);
}

static napi_value Spawn(napi_env env, napi_callback_info info) {
  size_t argc = 8;
  napi_value argv[8];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 7) {
    napi_throw_type_error(env, NULL, "spawn(file, argv, envp, cwd, stdoutFd, stderrFd, onExit[, stdinFd])");
    return NULL;
  }
  /* The job's standard input: a descriptor given (the read end of its pipe), else /dev/null. */
  int32_t stdin_fd = -1;
  if (argc >= 8) {
    napi_valuetype stdin_type;
    napi_typeof(env, argv[7], &stdin_type);
    if (stdin_type == napi_number) napi_get_value_int32(env, argv[7], &stdin_fd);
  }
  napi_valuetype cwd_type;
  napi_typeof(env, argv[3], &cwd_type);
  int32_t stdout_fd, stderr_fd;
  napi_get_value_int32(env, argv[4], &stdout_fd);
  napi_get_value_int32(env, argv[5], &stderr_fd);

  char *file = string_of(env, argv[0]);
  char **args = vector_of(env, argv[1]);
  char **envp = vector_of(env, argv[2]);
  char *cwd = cwd_type == napi_string ? string_of(env, argv[3]) : NULL;

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  if (stdin_fd >= 0)
    posix_spawn_file_actions_adddup2(&actions, stdin_fd, 0);
  else
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, stdout_fd, 1);
  posix_spawn_file_actions_adddup2(&actions, stderr_fd, 2);
  if (cwd != NULL) posix_spawn_file_actions_addchdir_np(&actions, cwd);

  posix_spawnattr_t attributes;
  posix_spawnattr_init(&attributes);
  sigset_t none, all;
  sigemptyset(&none);
  sigfillset(&all);
  posix_spawnattr_setsigmask(&attributes, &none);
  posix_spawnattr_setsigdefault(&attributes, &all);
  posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSID | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);

  pid_t pid = 0;
  int error = (file == NULL || args == NULL || envp == NULL) ? ENOMEM : posix_spawn(&pid, file, &actions, &attributes, args, envp);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attributes);
  free(file);
  free(cwd);
  free_vector(args);
  free_vector(envp);
  if (error != 0) return throw_errno(env, error, "spawn");

  int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
  child_t *child = calloc(1, sizeof(child_t));
  uv_loop_t *loop;
  napi_get_uv_event_loop(env, &loop);
  if (pidfd < 0 || child == NULL || uv_poll_init(loop, &child->poll, pidfd) != 0) {
    /* Cannot watch it: end it now rather than leave it unreaped. */
    int saved = errno;
    kill(-pid, SIGKILL);
    waitpid(pid, NULL, 0);
    if (pidfd >= 0) close(pidfd);
    free(child);
    return throw_errno(env, saved == 0 ? ENOSYS : saved, "pidfd_open");
  }
  child->env = env;
  child->pidfd = pidfd;
  child->pid = pid;
  child->poll.data = child;
  napi_create_reference(env, argv[6], 1, &child->on_exit);
  napi_value resource_name;
  napi_create_string_utf8(env, "andon:spawn", NAPI_AUTO_LENGTH, &resource_name);
  napi_async_init(env, NULL, resource_name, &child->context);
  uv_poll_start(&child->poll, UV_READABLE, on_readable);

  napi_value result;
  napi_create_int32(env, pid, &result);
  return result;
}

/* pipe() -> [readFd, writeFd], both close-on-exec: a job's standard input. Its spawn dup2s the
   read end to 0 (which clears the flag there); no other child inherits either end, so the job
   sees the end of its input when andon closes the write end. Node has no pipe() of its own. */
static napi_value Pipe(napi_env env, napi_callback_info info) {
  (void)info;
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) return throw_errno(env, errno, "pipe2");
  napi_value result, read_end, write_end;
  napi_create_array_with_length(env, 2, &result);
  napi_create_int32(env, fds[0], &read_end);
  napi_create_int32(env, fds[1], &write_end);
  napi_set_element(env, result, 0, read_end);
  napi_set_element(env, result, 1, write_end);
  return result;
}

/* True if this kernel has pidfd_open (Linux 5.3 and later). */
static napi_value Supported(napi_env env, napi_callback_info info) {
  (void)info;
  int pidfd = (int)syscall(SYS_pidfd_open, getpid(), 0);
  if (pidfd >= 0) close(pidfd);
  napi_value result;
  napi_get_boolean(env, pidfd >= 0, &result);
  return result;
}

NAPI_MODULE_INIT() {
  napi_value spawn_fn, supported_fn, pipe_fn;
  napi_create_function(env, "spawn", NAPI_AUTO_LENGTH, Spawn, NULL, &spawn_fn);
  napi_create_function(env, "supported", NAPI_AUTO_LENGTH, Supported, NULL, &supported_fn);
  napi_create_function(env, "pipe", NAPI_AUTO_LENGTH, Pipe, NULL, &pipe_fn);
  napi_set_named_property(env, exports, "pipe", pipe_fn);
  napi_set_named_property(env, exports, "spawn", spawn_fn);
  napi_set_named_property(env, exports, "supported", supported_fn);
  /* Tells andon's JavaScript that spawn takes a stdin descriptor (and pipe() makes one): an
     addon built from an older spawn.c would ignore it and give the job /dev/null. */
  napi_value takes_stdin;
  napi_get_boolean(env, true, &takes_stdin);
  napi_set_named_property(env, exports, "takesStdin", takes_stdin);
  return exports;
}
