/* errno.h: neptune CRT (single-threaded for now: one global). */
#ifndef NEPTUNE_ERRNO_H
#define NEPTUNE_ERRNO_H
extern int errno;
#define EPERM 1
#define ENOENT 2
#define EINTR 4
#define EIO 5
#define EBADF 9
#define ENOMEM 12
#define EACCES 13
#define EINVAL 22
#define ERANGE 34
#endif
