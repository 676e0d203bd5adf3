// Pure parts of images: which registry an image names, and the cache key of
// a dynamic image.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { registryHost } from '../../orchestrator/images/registries.js';
import { BuildService } from '../../orchestrator/images/builds.js';

describe('images', () => {
  it('finds the registry host of an image reference like Docker does', () => {
    assert.equal(registryHost('registry.example:5000/team/img:tag'), 'registry.example:5000');
    assert.equal(registryHost('127.0.0.1:5055/team/tiny:1'), '127.0.0.1:5055');
    assert.equal(registryHost('localhost/img'), 'localhost');
    assert.equal(registryHost('ghcr.io/org/img@sha256:abc'), 'ghcr.io');
    assert.equal(
      registryHost('berth/sandbox-base:latest'),
      'docker.io',
      'a first part without . or : is a Docker Hub namespace',
    );
    assert.equal(registryHost('python:3.12'), 'docker.io');
  });

  it('keys a dynamic image by its Dockerfile and contexts', () => {
    const a = BuildService.hashOf('FROM x\nRUN a\n', ['h1']);
    assert.equal(a, BuildService.hashOf('FROM x\nRUN a\n', ['h1']));
    assert.notEqual(a, BuildService.hashOf('FROM x\nRUN a\n', ['h2']));
    assert.notEqual(a, BuildService.hashOf('FROM x\nRUN b\n', ['h1']));
    assert.match(a, /^[0-9a-f]{64}$/);
  });
});
