// How each simulated Klaviyo object is written as a JSON:API resource (type, id, snake_case attributes,
// relationships and links), with `fields[type]=a,b` sparse fieldsets applied.

import type { FastifyRequest } from 'fastify';
import { KLAVIYO_ACCOUNT } from '../seed/accounts.ts';
import { queryParam, resourceLink, timestamp } from './klaviyo.json-api.ts';
import type { CatalogItem, Group, Profile } from './klaviyo.state.ts';

interface Resource {
  type: string;
  id: string;
  attributes: Record<string, unknown>;
  relationships?: Record<string, unknown>;
  links: { self: string };
}

function sparse(request: FastifyRequest, resource: Resource): Resource {
  const fields = queryParam(request, `fields[${resource.type}]`);
  if (fields === undefined) return resource;
  const wanted = new Set(fields.split(','));
  const attributes = Object.fromEntries(Object.entries(resource.attributes).filter(([name]) => wanted.has(name)));
  return { ...resource, attributes };
}

const relationshipLinks = (request: FastifyRequest, path: string, name: string) => ({
  links: {
    self: resourceLink(request, `${path}/relationships/${name}`),
    related: resourceLink(request, `${path}/${name}`),
  },
});

export function accountResource(request: FastifyRequest): Resource {
  return sparse(request, {
    type: 'account',
    id: KLAVIYO_ACCOUNT.id,
    attributes: {
      test_account: false,
      contact_information: {
        default_sender_name: KLAVIYO_ACCOUNT.organizationName,
        default_sender_email: 'hello@acme.example',
        website_url: 'https://shop.acme.example',
        organization_name: KLAVIYO_ACCOUNT.organizationName,
        street_address: {
          address1: '1 Market Street',
          address2: null,
          city: 'New York',
          region: 'NY',
          country: 'United States',
          zip: '10001',
        },
      },
      industry: 'Apparel & Accessories',
      timezone: KLAVIYO_ACCOUNT.timezone,
      preferred_currency: KLAVIYO_ACCOUNT.preferredCurrency,
      public_api_key: KLAVIYO_ACCOUNT.publicApiKey,
      locale: 'en-US',
    },
    links: { self: resourceLink(request, `accounts/${KLAVIYO_ACCOUNT.id}`) },
  });
}

export function listResource(request: FastifyRequest, list: Group): Resource {
  const path = `lists/${list.id}`;
  return sparse(request, {
    type: 'list',
    id: list.id,
    attributes: {
      name: list.name,
      created: timestamp(list.created),
      updated: timestamp(list.updated),
      opt_in_process: 'single_opt_in',
    },
    relationships: {
      profiles: relationshipLinks(request, path, 'profiles'),
      tags: relationshipLinks(request, path, 'tags'),
    },
    links: { self: resourceLink(request, path) },
  });
}

export function segmentResource(request: FastifyRequest, segment: Group): Resource {
  const path = `segments/${segment.id}`;
  return sparse(request, {
    type: 'segment',
    id: segment.id,
    attributes: {
      name: segment.name,
      created: timestamp(segment.created),
      updated: timestamp(segment.updated),
      is_active: true,
      is_processing: false,
      is_starred: false,
    },
    relationships: {
      profiles: relationshipLinks(request, path, 'profiles'),
      tags: relationshipLinks(request, path, 'tags'),
    },
    links: { self: resourceLink(request, path) },
  });
}

function consentOf(consent: Profile['consent'][keyof Profile['consent']]) {
  return consent ?? 'NEVER_SUBSCRIBED';
}

/** A profile as group-member endpoints return it: the usual attributes plus `joined_group_at`. */
export function memberResource(request: FastifyRequest, profile: Profile, joinedAt: number): Resource {
  const attributes: Record<string, unknown> = {
    email: profile.email,
    phone_number: profile.phoneNumber,
    external_id: null,
    first_name: profile.firstName,
    last_name: profile.lastName,
    organization: null,
    locale: null,
    title: null,
    image: null,
    created: timestamp(profile.created),
    updated: timestamp(profile.updated),
    last_event_date: null,
    location: {
      address1: null,
      address2: null,
      city: null,
      country: null,
      latitude: null,
      longitude: null,
      region: null,
      zip: null,
      timezone: null,
      ip: null,
    },
    properties: {},
    joined_group_at: timestamp(joinedAt),
  };
  if ((queryParam(request, 'additional-fields[profile]') ?? '').split(',').includes('subscriptions')) {
    attributes.subscriptions = {
      email: {
        marketing: {
          can_receive_email_marketing: profile.consent.email === 'SUBSCRIBED',
          consent: consentOf(profile.consent.email),
        },
      },
      sms: {
        marketing: {
          can_receive_sms_marketing: profile.consent.sms === 'SUBSCRIBED',
          consent: consentOf(profile.consent.sms),
        },
      },
    };
  }
  const path = `profiles/${profile.id}`;
  return sparse(request, {
    type: 'profile',
    id: profile.id,
    attributes,
    relationships: {
      lists: relationshipLinks(request, path, 'lists'),
      segments: relationshipLinks(request, path, 'segments'),
    },
    links: { self: resourceLink(request, path) },
  });
}

export function catalogItemResource(request: FastifyRequest, item: CatalogItem): Resource {
  const path = `catalog-items/${encodeURIComponent(item.id)}`;
  return sparse(request, {
    type: 'catalog-item',
    id: item.id,
    attributes: {
      external_id: item.externalId,
      title: item.title,
      description: item.description,
      price: item.price,
      url: item.url,
      image_full_url: item.imageFullUrl,
      image_thumbnail_url: item.imageThumbnailUrl,
      images: item.images,
      custom_metadata: item.customMetadata,
      published: item.published,
      created: timestamp(item.created),
      updated: timestamp(item.updated),
    },
    relationships: { variants: relationshipLinks(request, path, 'variants') },
    links: { self: resourceLink(request, path) },
  });
}
