// The image → host program table and command resolution (table tests).
import test from 'ava';
import { isAmbitError } from '../../../api/errors.js';
import { IMAGE_TABLE, LOCAL_RUNTIME_PACKAGES, imageRepository, lookupImage, resolveArgv, type ContainerCommand } from '../../../cli/local/images.js';

test('imageRepository normalizes registry, library/, tag and digest', (t) => {
  const cases: [string, string][] = [
    ['docker.io/kennethreitz/httpbin', 'kennethreitz/httpbin'],
    ['kennethreitz/httpbin:latest', 'kennethreitz/httpbin'],
    ['docker.io/mccutchen/go-httpbin:v2.15.0', 'mccutchen/go-httpbin'],
    ['index.docker.io/library/busybox:1.36', 'busybox'],
    ['busybox@sha256:0123abcd', 'busybox'],
    ['curlimages/curl:8.16.0@sha256:0123', 'curlimages/curl'],
    ['localhost:5000/team/app:v1', 'localhost:5000/team/app'],
    ['ghcr.io/mccutchen/go-httpbin', 'ghcr.io/mccutchen/go-httpbin'],
    ['registry.k8s.io/pause:3.9', 'registry.k8s.io/pause'],
    ['  Docker.io/Kong/HTTPBIN:0.1.0 ', 'kong/httpbin'],
  ];
  for (const [image, want] of cases) t.is(imageRepository(image), want, image);
});

test('every image of the Istio lab manifests is mapped', (t) => {
  for (const image of ['docker.io/mccutchen/go-httpbin:v2.15.0', 'docker.io/kong/httpbin', 'docker.io/kennethreitz/httpbin', 'curlimages/curl', 'curlimages/curl:8.16.0', 'docker.io/curlimages/curl', 'governmentpaas/curl-ssl']) {
    t.truthy(lookupImage(image), image);
  }
  t.is(lookupImage('docker.io/istio/examples-bookinfo-ratings-v1:1.20'), undefined);
});

const pod = { namespace: 'default', name: 'httpbin-abc' };
const c = (o: Partial<ContainerCommand>): ContainerCommand => ({ name: 'app', ...o });
const gunicorn = (bind: string): string[] => ['gunicorn', '--bind', bind, '--access-logfile', '-', '--workers', '1', '--threads', '16', 'httpbin:app'];

test('resolveArgv: command wins, else the image mapping', (t) => {
  const cases: [string, ContainerCommand, Record<string, string>, string[]][] = [
    ['command + args', c({ image: 'curlimages/curl', command: ['/bin/sleep'], args: ['infinity'] }), {}, ['/bin/sleep', 'infinity']],
    ['command without args ignores image', c({ image: 'docker.io/kennethreitz/httpbin', command: ['gunicorn', '-b', '[::]:8080', 'httpbin:app', '-k', 'gevent'] }), {}, ['gunicorn', '-b', '[::]:8080', 'httpbin:app', '-k', 'gevent']],
    ['command on an unknown image', c({ image: 'example.com/whatever', command: ['sleep', '3650d'] }), {}, ['sleep', '3650d']],
    ['go-httpbin default port', c({ image: 'docker.io/mccutchen/go-httpbin:v2.15.0' }), {}, gunicorn('0.0.0.0:8080')],
    ['go-httpbin PORT env', c({ image: 'mccutchen/go-httpbin' }), { PORT: '9090' }, gunicorn('0.0.0.0:9090')],
    ['go-httpbin -port arg', c({ image: 'mccutchen/go-httpbin', args: ['-port', '7070'] }), { PORT: '9090' }, gunicorn('0.0.0.0:7070')],
    ['go-httpbin --host=:: arg', c({ image: 'mccutchen/go-httpbin', args: ['--host=::'] }), {}, gunicorn('[::]:8080')],
    ['kennethreitz on 80', c({ image: 'docker.io/kennethreitz/httpbin' }), {}, gunicorn('0.0.0.0:80')],
    ['kong on 80', c({ image: 'docker.io/kong/httpbin:0.1.0' }), {}, gunicorn('0.0.0.0:80')],
    ['kong args replace CMD', c({ image: 'kong/httpbin', args: ['gunicorn', '-b', '0.0.0.0:8080', 'httpbin:app'] }), {}, ['gunicorn', '-b', '0.0.0.0:8080', 'httpbin:app']],
    ['curl image, no args', c({ image: 'curlimages/curl' }), {}, ['curl']],
    ['curl image, curl flags', c({ image: 'curlimages/curl', args: ['-s', 'http://httpbin:8000/get'] }), {}, ['curl', '-s', 'http://httpbin:8000/get']],
    ['curl image, other program', c({ image: 'curlimages/curl', args: ['sleep', '3600'] }), {}, ['sleep', '3600']],
    ['curl-ssl shell', c({ image: 'governmentpaas/curl-ssl' }), {}, ['/bin/sh']],
    ['busybox args', c({ image: 'busybox', args: ['sh', '-c', 'echo hi'] }), {}, ['sh', '-c', 'echo hi']],
    ['pause', c({ image: 'registry.k8s.io/pause:3.9' }), {}, ['sleep', 'infinity']],
  ];
  for (const [what, container, env, want] of cases) t.deepEqual(resolveArgv(pod, container, env), want, what);
});

test('resolveArgv: unmapped images and unmappable args are AMBIT_ERR_LOCAL_IMAGE naming pod, container and image', (t) => {
  const cases: [string, ContainerCommand, RegExp][] = [
    ['unknown image', c({ image: 'docker.io/istio/examples-bookinfo-ratings-v1:1.20' }), /pod default\/httpbin-abc container "app": image "docker\.io\/istio\/examples-bookinfo-ratings-v1:1\.20" has no local mapping and the container has no command/],
    ['unknown image with args only', c({ image: 'nginx', args: ['-g', 'daemon off;'] }), /image "nginx" has no local mapping/],
    ['no image', c({}), /image "" has no local mapping/],
    ['empty command', c({ image: 'nginx', command: [] }), /image "nginx" has no local mapping/],
    ['go-httpbin unknown flag', c({ image: 'mccutchen/go-httpbin', args: ['-max-duration', '10s'] }), /argument "-max-duration" is not supported/],
    ['go-httpbin bad port', c({ image: 'mccutchen/go-httpbin' }), /port "http" is not a number/],
  ];
  for (const [what, container, message] of cases) {
    const err = t.throws(() => resolveArgv(pod, container, what === 'go-httpbin bad port' ? { PORT: 'http' } : {}), undefined, what);
    t.true(isAmbitError(err, 'AMBIT_ERR_LOCAL_IMAGE'), what);
    t.regex(err?.message ?? '', message, what);
  }
});

test('the packages named by the table are in LOCAL_RUNTIME_PACKAGES (coreutils is essential)', (t) => {
  const listed = new Set<string>([...LOCAL_RUNTIME_PACKAGES, 'coreutils']);
  for (const m of IMAGE_TABLE) for (const p of m.packages) t.true(listed.has(p), p);
});
